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
 * It sees every decoded event, pings included, so it goes before pings are filtered out. Its timers are Vert.x timers
 * re-armed on each event; they may fire on another event loop than the one the events arrive on, hence the lock
 * around the timer ids. The lock is never held while calling downstream.
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
        /** The first-byte timer until the first event, the idle timer after it. */
        private long silence = NONE;
        /** The first-content timer, until the first content delta. */
        private long content = NONE;
        private boolean over;

        Guard(MultiEmitter<? super StreamEvent> downstream, Limits limits, Vertx vertx) {
            this.downstream = downstream;
            this.limits = limits;
            this.vertx = vertx;
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
            synchronized (this) {
                if (over) {
                    return;
                }
                vertx.cancelTimer(silence);
                silence = arm("idle", limits.idle());
                if (content != NONE && event instanceof StreamEvent.ContentBlockDelta) {
                    vertx.cancelTimer(content);
                    content = NONE;
                }
            }
            downstream.emit(event);
        }

        private long arm(String limit, Duration after) {
            return vertx.setTimer(Math.max(1, after.toMillis()), timer -> expired(timer, limit, after));
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
