package dev.parley.resilience;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Drains the service when Kubernetes stops it. Shutdown begins with Quarkus's {@link ShutdownDelayInitiatedEvent}
 * (the first thing Quarkus does on SIGTERM, with {@code quarkus.shutdown.delay-enabled=true}; its built-in
 * readiness check goes DOWN at the same moment): from then on {@link #draining()} is true, so new chats are
 * refused, while running turns go on for {@code parley.shutdown.grace-period}; turns still running after it are
 * ended with a last event of their own, through {@link #endOnDrain}. Quarkus meanwhile waits for open requests
 * ({@code quarkus.shutdown.timeout}) and stops the process once the last stream has ended.
 */
@ApplicationScoped
public class ShutdownCoordinator {

    private final ShutdownConfig config;
    private final Vertx vertx;
    /** What to do when the grace period ends: one action per running turn, removed when the turn ends. */
    private final Set<Runnable> atGraceEnd = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private volatile boolean graceOver;

    ShutdownCoordinator(ShutdownConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    /** True from the start of shutdown: new work is refused. */
    public boolean draining() {
        return draining;
    }

    /**
     * Passes a turn through unchanged, unless it is still running when the grace period of a shutdown ends: then
     * its source is cancelled and the turn ends with {@code lastEvent}, which is asked for on the Vert.x context
     * that subscribed (where the turn's own events are handled), so it sees the turn's state up to that moment.
     */
    public <T> Multi<T> endOnDrain(Multi<T> turn, Supplier<T> lastEvent) {
        return Multi.createFrom().emitter(emitter -> {
            Context context = Vertx.currentContext();
            AtomicBoolean over = new AtomicBoolean();
            Cancellable source = turn.subscribe().with(item -> {
                if (!over.get()) {
                    emitter.emit(item);
                }
            }, failure -> {
                if (over.compareAndSet(false, true)) {
                    emitter.fail(failure);
                }
            }, () -> {
                if (over.compareAndSet(false, true)) {
                    emitter.complete();
                }
            });
            Runnable end = () -> onContext(context, () -> {
                if (over.compareAndSet(false, true)) {
                    T last = lastEvent.get();
                    source.cancel();
                    emitter.emit(last);
                    emitter.complete();
                }
            });
            atGraceEnd.add(end);
            emitter.onTermination(() -> {
                atGraceEnd.remove(end);
                source.cancel();
            });
            if (graceOver) {
                end.run();
            }
        });
    }

    void shutdownBegins(@Observes ShutdownDelayInitiatedEvent event) {
        draining = true;
        Log.infof("Shutting down: new chats are refused; %d running turn(s) have %d ms to finish", atGraceEnd.size(),
                config.gracePeriod().toMillis());
        vertx.setTimer(Math.max(1, config.gracePeriod().toMillis()), id -> endRunningTurns());
    }

    private void endRunningTurns() {
        graceOver = true;
        if (!atGraceEnd.isEmpty()) {
            Log.infof("Grace period over: ending %d running turn(s)", atGraceEnd.size());
        }
        atGraceEnd.forEach(Runnable::run);
    }

    private static void onContext(Context context, Runnable action) {
        if (context == null) {
            action.run();
        } else {
            context.runOnContext(ignored -> action.run());
        }
    }
}
