package dev.parley.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;

/** How running turns are let finish, or ended, once shutdown begins. */
class ShutdownCoordinatorTest {

    private final Vertx vertx = Vertx.vertx();
    private final ShutdownCoordinator coordinator = new ShutdownCoordinator(config(Duration.ofMillis(300)), vertx);

    @AfterEach
    void closeVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void leavesTurnsAloneWhileTheServiceRuns() {
        AssertSubscriber<String> turn = coordinator.endOnDrain(Multi.createFrom().items("a", "b", "done"),
                () -> "never").subscribe().withSubscriber(AssertSubscriber.create(10));

        turn.assertCompleted().assertItems("a", "b", "done");
        assertThat(coordinator.draining()).isFalse();
    }

    @Test
    void refusesNewWorkAsSoonAsShutdownBegins() {
        coordinator.shutdownBegins(new ShutdownDelayInitiatedEvent());

        assertThat(coordinator.draining()).isTrue();
    }

    @Test
    void aTurnThatEndsWithinTheGracePeriodEndsAsUsual() {
        AssertSubscriber<String> turn = coordinator.endOnDrain(Multi.createFrom().ticks()
                .every(Duration.ofMillis(20)).select().first(3).map(tick -> "text").onCompletion()
                .continueWith("done"), () -> "shutdown").subscribe().withSubscriber(AssertSubscriber.create(10));

        coordinator.shutdownBegins(new ShutdownDelayInitiatedEvent());

        turn.awaitCompletion(Duration.ofSeconds(2)).assertItems("text", "text", "text", "done");
    }

    @Test
    void aTurnStillRunningWhenTheGracePeriodEndsIsCancelledAndEndsWithItsLastEvent() {
        AtomicBoolean sourceCancelled = new AtomicBoolean();
        AssertSubscriber<String> turn = coordinator.endOnDrain(Multi.createFrom().ticks()
                .every(Duration.ofMillis(20)).map(tick -> "text").onCancellation()
                .invoke(() -> sourceCancelled.set(true)), () -> "shutdown")
                .subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        turn.awaitItems(2);

        long start = System.nanoTime();
        coordinator.shutdownBegins(new ShutdownDelayInitiatedEvent());
        turn.awaitCompletion(Duration.ofSeconds(2));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(turn.getItems()).last().isEqualTo("shutdown");
        assertThat(turn.getItems().subList(0, turn.getItems().size() - 1)).containsOnly("text");
        assertThat(turn.getItems().size()).isGreaterThan(3);
        assertThat(sourceCancelled).isTrue();
    }

    @Test
    void aTurnStartedAfterTheGracePeriodIsEndedAtOnce() {
        ShutdownCoordinator noGrace = new ShutdownCoordinator(config(Duration.ZERO), vertx);
        noGrace.shutdownBegins(new ShutdownDelayInitiatedEvent());
        // A turn running at the end of the grace period tells when it is over.
        AssertSubscriber<String> first = noGrace.endOnDrain(Multi.createFrom().nothing(), () -> "shutdown")
                .subscribe().withSubscriber(AssertSubscriber.create(10));
        first.awaitCompletion(Duration.ofSeconds(2));

        AssertSubscriber<String> late = noGrace.endOnDrain(Multi.createFrom().nothing(), () -> "shutdown")
                .subscribe().withSubscriber(AssertSubscriber.create(10));

        late.awaitCompletion(Duration.ofSeconds(2)).assertItems("shutdown");
    }

    private static ShutdownConfig config(Duration grace) {
        return new ShutdownConfig() {
            @Override
            public Duration gracePeriod() {
                return grace;
            }

            @Override
            public Duration retryAfter() {
                return Duration.ofSeconds(1);
            }
        };
    }
}
