package dev.parley.api;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Joins the SSE frames that become ready in the same turn of the event loop into one write. Each item of a streamed
 * response costs the server a writer lookup, a copy and a flush (a system call); an upstream read often carries many
 * events (a fast model, a burst after a pause, every round's end), and writing them one by one made the relay spend
 * most of its CPU per token there. Frames are never held back: the batch is written as soon as the event loop has
 * handled what it is doing now, so a lone token goes out as before, within microseconds.
 * <p>
 * Frames may arrive on other threads (a tool's result, a store's answer); the batch is always written on the
 * response's own event loop, in order, and the end of the stream follows the last batch.
 */
final class FrameBatches {

    private FrameBatches() {
    }

    static Multi<String> perLoopTurn(Multi<String> frames) {
        Context context = Vertx.currentContext();
        if (context == null) {
            return frames; // not on an event loop: there is no turn to batch within
        }
        return Multi.createFrom().emitter(emitter -> new Batch(emitter, context).take(frames));
    }

    /** One response's pending frames. Guarded by itself; it never emits while holding the lock. */
    private static final class Batch {
        private final MultiEmitter<? super String> downstream;
        private final Context context;
        private final StringBuilder pending = new StringBuilder();
        /** A write is scheduled or running; until it is done, frames and the end wait for it. */
        private boolean writing;
        private boolean completed;
        private Throwable failure;

        Batch(MultiEmitter<? super String> downstream, Context context) {
            this.downstream = downstream;
            this.context = context;
        }

        void take(Multi<String> frames) {
            Cancellable upstream = frames.subscribe().with(this::frame, this::failed, this::completed);
            downstream.onTermination(upstream::cancel);
        }

        private void frame(String frame) {
            boolean schedule;
            synchronized (this) {
                pending.append(frame);
                schedule = !writing;
                writing = true;
            }
            if (schedule) {
                context.runOnContext(ignored -> write());
            }
        }

        private void write() {
            while (true) {
                String batch;
                boolean complete;
                Throwable failed;
                synchronized (this) {
                    if (pending.isEmpty()) {
                        writing = false;
                        complete = completed;
                        failed = failure;
                        batch = null;
                    } else {
                        batch = pending.toString();
                        pending.setLength(0);
                        complete = false;
                        failed = null;
                    }
                }
                if (batch == null) {
                    end(complete, failed);
                    return;
                }
                downstream.emit(batch);
            }
        }

        private void completed() {
            synchronized (this) {
                if (writing) {
                    completed = true;
                    return;
                }
            }
            downstream.complete();
        }

        private void failed(Throwable cause) {
            synchronized (this) {
                if (writing) {
                    failure = cause;
                    return;
                }
            }
            downstream.fail(cause);
        }

        private void end(boolean complete, Throwable failed) {
            if (failed != null) {
                downstream.fail(failed);
            } else if (complete) {
                downstream.complete();
            }
        }
    }
}
