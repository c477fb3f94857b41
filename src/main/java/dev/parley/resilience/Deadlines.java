package dev.parley.resilience;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;

/** Ends a stream that outlives its deadline: cancels it and fails with the given exception. */
public final class Deadlines {

    private Deadlines() {
    }

    /**
     * The stream, failed with {@code expired} once {@code deadline} has passed. The timer fires on the worker pool
     * but never ends the stream there: the cancellation and the failure run through {@code context} (the turn's own),
     * so they cannot interleave with an event the stream is handling.
     */
    public static <T> Multi<T> enforce(Multi<T> stream, Duration deadline, Supplier<? extends Throwable> expired,
            Executor context) {
        return Multi.createFrom().emitter(emitter -> {
            Cancellable subscription = stream.subscribe().with(emitter::emit, emitter::fail, emitter::complete);
            var timer = Infrastructure.getDefaultWorkerPool().schedule(() -> context.execute(() -> {
                subscription.cancel();
                emitter.fail(expired.get());
            }), deadline.toMillis(), TimeUnit.MILLISECONDS);
            emitter.onTermination(() -> {
                timer.cancel(false);
                subscription.cancel();
            });
        });
    }
}
