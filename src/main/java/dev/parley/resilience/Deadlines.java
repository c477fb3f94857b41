package dev.parley.resilience;

import java.time.Duration;
import java.util.function.Supplier;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;

/** Ends a stream that outlives its deadline: cancels it and fails with the given exception. */
public final class Deadlines {

    private Deadlines() {
    }

    public static <T> Multi<T> enforce(Multi<T> stream, Duration deadline, Supplier<? extends Throwable> expired) {
        return Multi.createFrom().emitter(emitter -> {
            Cancellable subscription = stream.subscribe().with(emitter::emit, emitter::fail, emitter::complete);
            var timer = Infrastructure.getDefaultWorkerPool().schedule(() -> {
                subscription.cancel();
                emitter.fail(expired.get());
            }, deadline.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            emitter.onTermination(() -> {
                timer.cancel(false);
                subscription.cancel();
            });
        });
    }
}
