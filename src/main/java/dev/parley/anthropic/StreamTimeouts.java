package dev.parley.anthropic;

import java.time.Duration;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Vertx;

/**
 * Cuts an upstream stream that stalls, and says where: no event within the first-byte timeout, no
 * {@code content_block_delta} within the first-content timeout (pings do not count), or a gap between two events
 * longer than the idle timeout (pings count). The stream then fails with an {@link AnthropicException} of kind
 * {@code TIMEOUT}, and the upstream is cancelled, which closes its connection.
 * <p>
 * It sees every decoded event, pings included, so it goes before pings are filtered out. An event only notes its
 * time: a timer per event (cancelled and set again for every token) cost more than the rest of this class, so the
 * idle timer, when it fires, looks at how long the stream has really been silent and, if less than the limit, sets
 * itself again for the rest. The timers may fire on another event loop than the events arrive on, hence the lock
 * around the timer ids; it is never held while calling downstream, and never taken per event after the first
 * content.
 */
final class StreamTimeouts {

    private static final long NONE = -1;

    /** The three limits; see {@link AnthropicConfig} for their meaning and defaults. */
    record Limits(Duration firstByte, Duration firstContent, Duration idle) {

        static Limits of(AnthropicConfig config) {
            return new Limits(config.firstByteTimeout(), config.firstContentTimeout(), config.idleTimeout());
        }
    }

    private StreamTimeouts() {
    }

    /** The events, failed and cancelled as soon as one of the limits is exceeded. */
    static Multi<StreamEvent> guard(Multi<StreamEvent> events, Limits limits, Vertx vertx) {
        return Multi.createFrom().emitter(emitter -> new Guard(emitter, limits, vertx).watch(events));
    }

    /** One stream's timers. */
    private static final class Guard {
        private final MultiEmitter<? super StreamEvent> downstream;
        private final Limits limits;
        private final Vertx vertx;
        private final long idleNanos;
        /** When the last event arrived ({@link System#nanoTime}), once one has. */
        private volatile long lastEvent;
        private volatile boolean started;
        private volatile boolean contentSeen;
        private volatile boolean over;
        /** The first-byte timer until the first event, the idle timer after it. Guarded by this. */
        private long silence = NONE;
        /** The first-content timer, until the first content delta. Guarded by this. */
        private long content = NONE;

        Guard(MultiEmitter<? super StreamEvent> downstream, Limits limits, Vertx vertx) {
            this.downstream = downstream;
            this.limits = limits;
            this.vertx = vertx;
            this.idleNanos = limits.idle().toNanos();
        }

        void watch(Multi<StreamEvent> events) {
            synchronized (this) {
                silence = arm("first byte", limits.firstByte());
                content = arm("first content", limits.firstContent());
            }
            Cancellable upstream = events.subscribe().with(this::onEvent, downstream::fail, downstream::complete);
            // Runs on failure (ours or the upstream's), completion and downstream cancellation; at once if a timer
            // already fired.
            downstream.onTermination(() -> {
                disarm();
                upstream.cancel();
            });
        }

        private void onEvent(StreamEvent event) {
            long now = System.nanoTime();
            lastEvent = now;
            if (!started) {
                started = true;
                firstEvent();
            }
            if (!contentSeen && event instanceof StreamEvent.ContentBlockDelta) {
                contentSeen = true;
                synchronized (this) {
                    vertx.cancelTimer(content);
                    content = NONE;
                }
            }
            if (!over) {
                downstream.emit(event);
            }
        }

        /** The first event: the first-byte limit is met, the idle limit starts. */
        private synchronized void firstEvent() {
            if (!over) {
                vertx.cancelTimer(silence);
                silence = armIdle(idleNanos);
            }
        }

        private long arm(String limit, Duration after) {
            return vertx.setTimer(Math.max(1, after.toMillis()), timer -> expired(timer, limit, after));
        }

        private long armIdle(long afterNanos) {
            long millis = Math.max(1, (afterNanos + 999_999) / 1_000_000);
            return vertx.setTimer(millis, this::idleCheck);
        }

        /** The idle timer fired: the stream failed if it has really been silent that long, else it waits the rest. */
        private void idleCheck(long timer) {
            long silentFor = System.nanoTime() - lastEvent;
            synchronized (this) {
                if (over || timer != silence) {
                    return;
                }
                if (silentFor < idleNanos) {
                    silence = armIdle(idleNanos - silentFor);
                    return;
                }
            }
            downstream.fail(AnthropicException.timeout("idle", limits.idle()));
        }

        private void expired(long timer, String limit, Duration after) {
            synchronized (this) {
                if (over || (timer != silence && timer != content)) {
                    return; // an event got in first
                }
            }
            downstream.fail(AnthropicException.timeout(limit, after));
        }

        private synchronized void disarm() {
            over = true;
            vertx.cancelTimer(silence);
            vertx.cancelTimer(content);
        }
    }
}
