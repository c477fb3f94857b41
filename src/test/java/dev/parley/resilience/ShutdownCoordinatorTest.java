package dev.parley.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

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
        AtomicInteger ended = new AtomicInteger();
        coordinator.atGraceEnd(ended::incrementAndGet);

        assertThat(coordinator.draining()).isFalse();
        assertThat(ended).hasValue(0);
    }

    @Test
    void refusesNewWorkAsSoonAsShutdownBegins() {
        coordinator.shutdownBegins(new ShutdownDelayInitiatedEvent());

        assertThat(coordinator.draining()).isTrue();
    }

    @Test
    void tellsWhatIsLeftOfTheGracePeriod() {
        assertThat(coordinator.graceLeft()).as("before shutdown").isZero();

        coordinator.shutdownBegins(new ShutdownDelayInitiatedEvent());

        assertThat(coordinator.graceLeft()).isPositive().isLessThanOrEqualTo(Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(2)).until(() -> coordinator.graceLeft().isZero());
    }

    @Test
    void aTurnThatEndsWithinTheGracePeriodIsNotEnded() throws Exception {
        AtomicInteger ended = new AtomicInteger();
        Runnable leave = coordinator.atGraceEnd(ended::incrementAndGet);
        CompletableFuture<Void> later = new CompletableFuture<>();
        coordinator.atGraceEnd(() -> later.complete(null));

        coordinator.shutdownBegins(new ShutdownDelayInitiatedEvent());
        leave.run(); // the turn ended on its own within the grace period
        later.get(2, TimeUnit.SECONDS);

        assertThat(ended).hasValue(0);
    }

    @Test
    void aTurnStillRunningWhenTheGracePeriodEndsIsEndedThen() throws Exception {
        CompletableFuture<Long> endedAt = new CompletableFuture<>();
        coordinator.atGraceEnd(() -> endedAt.complete(System.nanoTime()));

        long start = System.nanoTime();
        coordinator.shutdownBegins(new ShutdownDelayInitiatedEvent());

        assertThat(Duration.ofNanos(endedAt.get(2, TimeUnit.SECONDS) - start))
                .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    }

    @Test
    void aTurnStartedAfterTheGracePeriodIsEndedAtOnce() throws Exception {
        ShutdownCoordinator noGrace = new ShutdownCoordinator(config(Duration.ZERO), vertx);
        CompletableFuture<Void> first = new CompletableFuture<>();
        noGrace.atGraceEnd(() -> first.complete(null));
        noGrace.shutdownBegins(new ShutdownDelayInitiatedEvent());
        first.get(2, TimeUnit.SECONDS);

        AtomicInteger late = new AtomicInteger();
        noGrace.atGraceEnd(late::incrementAndGet);

        assertThat(late).hasValue(1);
    }

    @Test
    void everyTurnRegisteredWhileTheGracePeriodEndsIsEndedExactlyOnce() throws Exception {
        // One event loop: a task queued once the sweep has begun runs after the whole sweep.
        Vertx oneLoop = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        try {
            ShutdownCoordinator noGrace = new ShutdownCoordinator(config(Duration.ZERO), oneLoop);
            AtomicInteger[] endings = new AtomicInteger[2_000];
            CompletableFuture<Void> sweepStarted = new CompletableFuture<>();
            noGrace.atGraceEnd(() -> sweepStarted.complete(null));
            noGrace.shutdownBegins(new ShutdownDelayInitiatedEvent());

            for (int i = 0; i < endings.length; i++) {
                AtomicInteger ending = endings[i] = new AtomicInteger();
                noGrace.atGraceEnd(ending::incrementAndGet);
            }
            sweepStarted.get(2, TimeUnit.SECONDS);
            CompletableFuture<Void> sweepOver = new CompletableFuture<>();
            oneLoop.runOnContext(ignored -> sweepOver.complete(null));
            sweepOver.get(2, TimeUnit.SECONDS);

            assertThat(endings).allSatisfy(ending -> assertThat(ending).hasValue(1));
        } finally {
            oneLoop.close().toCompletionStage().toCompletableFuture().join();
        }
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
