package dev.parley.resilience;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.vertx.core.Vertx;

/**
 * Drains the service when Kubernetes stops it. Shutdown begins with Quarkus's {@link ShutdownDelayInitiatedEvent}
 * (the first thing Quarkus does on SIGTERM, with {@code quarkus.shutdown.delay-enabled=true}; its built-in
 * readiness check goes DOWN at the same moment): from then on {@link #draining()} is true, so new chats are
 * refused, while running turns go on for {@code parley.shutdown.grace-period}; turns still running after it are
 * ended with a last event of their own, through what each registered with {@link #atGraceEnd}. Quarkus meanwhile waits for open requests
 * ({@code quarkus.shutdown.timeout}) and stops the process once the last stream has ended.
 */
@ApplicationScoped
public class ShutdownCoordinator {

    private final ShutdownConfig config;
    private final Vertx vertx;
    /** What to do when the grace period ends: one action per running turn, removed when the turn ends. */
    private final Set<Runnable> atGraceEnd = ConcurrentHashMap.newKeySet();
    /** What to do when shutdown begins: one action per stream that a client can resume elsewhere. */
    private final Set<Runnable> atDrainStart = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private volatile boolean graceOver;
    /** When the grace period ends ({@link System#nanoTime()}), once shutdown began. */
    private volatile long graceEndsAt;

    ShutdownCoordinator(ShutdownConfig config, Vertx vertx) {
        this.config = config;
        this.vertx = vertx;
    }

    /** True from the start of shutdown: new work is refused. */
    public boolean draining() {
        return draining;
    }

    /** What is left of the grace period: zero before shutdown begins, and once it is over. */
    public Duration graceLeft() {
        if (!draining) {
            return Duration.ZERO;
        }
        return Duration.ofNanos(Math.max(0, graceEndsAt - System.nanoTime()));
    }

    /**
     * Registers what ends a running turn when the grace period of a shutdown ends (at once, if it already has), and
     * returns what removes it again, to run when the turn ends on its own. The action is the turn's: it hops to the
     * turn's own context to end it there.
     */
    public Runnable atGraceEnd(Runnable endTurn) {
        // A turn registered while the grace period ends can be seen both by the sweep and by the check below;
        // the guard makes sure it is ended once.
        AtomicBoolean ended = new AtomicBoolean();
        Runnable endOnce = () -> {
            if (ended.compareAndSet(false, true)) {
                endTurn.run();
            }
        };
        atGraceEnd.add(endOnce);
        if (graceOver) {
            endOnce.run();
        }
        return () -> atGraceEnd.remove(endOnce);
    }

    /**
     * Registers what hands a stream's client over to another replica when shutdown begins (at once, if it already
     * has), and returns what removes it again. For streams whose events every replica can read (resumable turns kept
     * in Redis): the client resumes elsewhere while the turn goes on here for the grace period.
     */
    public Runnable atDrainStart(Runnable handOver) {
        AtomicBoolean done = new AtomicBoolean();
        Runnable once = () -> {
            if (done.compareAndSet(false, true)) {
                handOver.run();
            }
        };
        atDrainStart.add(once);
        if (draining) {
            once.run();
        }
        return () -> atDrainStart.remove(once);
    }

    void shutdownBegins(@Observes ShutdownDelayInitiatedEvent event) {
        graceEndsAt = System.nanoTime() + config.gracePeriod().toNanos();
        draining = true;
        atDrainStart.forEach(Runnable::run);
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
}
