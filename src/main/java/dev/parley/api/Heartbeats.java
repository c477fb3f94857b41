package dev.parley.api;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Vertx;

/**
 * Interleaves a heartbeat into a stream whenever nothing else was sent for the interval. Kept in one place because
 * it is the one piece of the stream that runs on a timer rather than on upstream events.
 */
final class Heartbeats {

    private Heartbeats() {
    }

    static <T> Multi<T> around(Multi<T> events, Duration interval, Supplier<T> heartbeat, Vertx vertx) {
        long intervalNanos = interval.toNanos();
        long checkMillis = Math.max(1, interval.toMillis() / 4);
        return Multi.createFrom().emitter(emitter -> {
            AtomicLong lastSent = new AtomicLong(System.nanoTime());
            long timer = vertx.setPeriodic(checkMillis, id -> {
                long now = System.nanoTime();
                long last = lastSent.get();
                if (now - last >= intervalNanos && lastSent.compareAndSet(last, now)) {
                    emitter.emit(heartbeat.get());
                }
            });
            Cancellable subscription = events.subscribe().with(item -> {
                lastSent.set(System.nanoTime());
                emitter.emit(item);
            }, failure -> {
                vertx.cancelTimer(timer);
                emitter.fail(failure);
            }, () -> {
                vertx.cancelTimer(timer);
                emitter.complete();
            });
            emitter.onTermination(() -> {
                vertx.cancelTimer(timer);
                subscription.cancel();
            });
        });
    }
}
