package dev.parley.resume;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

import dev.parley.resilience.ShutdownCoordinator;

/**
 * The resumable turns this replica runs and the resumes it serves: it makes each turn's {@link RecordedTurn}, routes
 * a stop to the turn (here, or through the store to the replica that runs it), and wakes the resumes of a turn when
 * its journal grows; and it hands the answers to tool calls awaiting approval to {@link TurnApprovals}. Started with the
 * application, so a replica hears the store's signals before it runs its first turn.
 */
@Startup
@ApplicationScoped
public class ResumableTurns implements TurnJournals.Signals {

    /** A resume being served on this replica: told when its turn's journal may have grown. Called on any thread. */
    public interface Follower {
        void wake();
    }

    /** What a stop request found. */
    public enum StopAnswer {
        /** The turn was running (here or elsewhere) and was asked to stop. */
        STOPPING,
        /** The turn had already ended: nothing to stop. */
        ALREADY_ENDED,
        /** No such turn of this caller's (unknown, another caller's, or expired). */
        NOT_FOUND
    }

    private final TurnJournals journals;
    private final StreamsConfig config;
    private final ShutdownCoordinator shutdown;
    private final Duration shutdownTimeout;
    /** Also the monitor that {@link #ended} notifies, for the waits at shutdown. */
    private final Map<String, RecordedTurn> running = new ConcurrentHashMap<>();
    private final Map<String, Set<Follower>> followers = new ConcurrentHashMap<>();
    private final TurnApprovals approvals;

    ResumableTurns(TurnJournals journals, TurnApprovals approvals, StreamsConfig config, ShutdownCoordinator shutdown,
            @ConfigProperty(name = "quarkus.shutdown.timeout") Optional<Duration> shutdownTimeout) {
        this.journals = journals;
        this.approvals = approvals;
        this.config = config;
        this.shutdown = shutdown;
        this.shutdownTimeout = shutdownTimeout.orElse(Duration.ZERO);
    }

    @PostConstruct
    void listen() {
        journals.listen(this);
    }

    /** The recording of a resumable turn about to start on {@code context}. */
    public RecordedTurn record(String turnId, String caller, Duration deadline, Context context) {
        return new RecordedTurn(turnId, caller, deadline, context, journals, this, config);
    }

    /** Whether another replica can serve a resume of this replica's turns (their events are in Redis). */
    public boolean shared() {
        return config.store() == StreamsConfig.Store.REDIS;
    }

    /**
     * Registers what hands a stream's client to another replica when this one starts draining, if another replica
     * can serve it; returns what removes it again.
     */
    public Runnable atDrainStart(Runnable handOver) {
        return shared() ? shutdown.atDrainStart(handOver) : () -> {
        };
    }

    /** The turn's journal as its caller may see it: empty for an unknown turn, an expired one, or another's. */
    public Uni<Optional<JournalState>> find(String turnId, String caller) {
        return journals.state(turnId).map(state -> state.filter(found -> found.caller().equals(caller)));
    }

    /** The state of a turn's journal, whoever's it is (for a resume already admitted). */
    public Uni<Optional<JournalState>> state(String turnId) {
        return journals.state(turnId);
    }

    /** The kept batches of a turn holding events after {@code afterId}. */
    public Uni<List<JournalBatch>> after(String turnId, long afterId) {
        return journals.after(turnId, afterId);
    }

    /** A client reading the turn is there now: its resume grace counts from now. */
    public Uni<Void> seen(String turnId) {
        return journals.seen(turnId);
    }

    /** Stops the caller's turn at once, on whichever replica runs it. */
    public Uni<StopAnswer> stop(String turnId, String caller) {
        return find(turnId, caller).flatMap(state -> {
            if (state.isEmpty()) {
                return Uni.createFrom().item(StopAnswer.NOT_FOUND);
            }
            RecordedTurn here = running.get(turnId);
            // A turn running here is stopped even if the store thinks it lost (this replica's lease lapsed).
            if (state.get().ended() || (here == null && state.get().lost(Instant.now()))) {
                return Uni.createFrom().item(StopAnswer.ALREADY_ENDED);
            }
            if (here != null) {
                here.stop();
                return Uni.createFrom().item(StopAnswer.STOPPING);
            }
            return journals.askStop(turnId).replaceWith(StopAnswer.STOPPING);
        });
    }

    /** Serves a resume of {@code turnId} here: returns what ends it. */
    public Runnable follow(String turnId, Follower follower) {
        followers.computeIfAbsent(turnId, id -> ConcurrentHashMap.newKeySet()).add(follower);
        return () -> followers.computeIfPresent(turnId, (id, set) -> {
            set.remove(follower);
            return set.isEmpty() ? null : set;
        });
    }

    /** Whether a client resumed the turn on this replica and is reading it now. */
    boolean followedHere(String turnId) {
        Set<Follower> here = followers.get(turnId);
        return here != null && !here.isEmpty();
    }

    void running(RecordedTurn turn) {
        running.put(turn.turnId(), turn);
    }

    void ended(RecordedTurn turn) {
        running.remove(turn.turnId(), turn);
        synchronized (running) {
            running.notifyAll();
        }
    }

    /**
     * Holds the start of the application's stop while resumable turns run here, until they ended and their last events
     * are kept: the grace period ends them, and their last events go to the store. Quarkus waits only for open HTTP
     * requests, and a turn whose client was handed over to another replica, or went away, holds none: without this
     * hold Quarkus would stop the HTTP server (and with it the turn's upstream connection, made on the server's event
     * loops) after its shutdown delay, cutting the turn short before the grace period ends it with its own last event,
     * so its client resumed on another replica would get {@code upstream_interrupted} or nothing. Holding until the
     * grace end itself, not the delay before it, leaves no race between the two. Observed after
     * {@link ShutdownCoordinator}'s drain start, on Quarkus's shutdown thread, only where Quarkus waits for requests at
     * all ({@code quarkus.shutdown.timeout} above zero: not in tests). The process then exits after the grace period
     * plus the shutdown delay.
     */
    void holdStopWhileTurnsRun(
            @Observes @Priority(Interceptor.Priority.LIBRARY_AFTER) ShutdownDelayInitiatedEvent event)
            throws InterruptedException {
        if (shutdownTimeout.isPositive()) {
            awaitNoneRunning(shutdown.graceLeft().plus(config.redisTimeout()));
        }
    }

    private void awaitNoneRunning(Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        synchronized (running) {
            if (running.isEmpty()) {
                return;
            }
            Log.infof("Waiting up to %d ms for the %d resumable turn(s) running here", atMost.toMillis(),
                    running.size());
            while (!running.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(running, left);
            }
        }
    }

    @Override
    public void appended(String turnId) {
        Set<Follower> here = followers.get(turnId);
        if (here != null) {
            here.forEach(Follower::wake);
        }
    }

    @Override
    public void approvalGiven(String turnId, String callId, boolean approved) {
        approvals.given(turnId, callId, approved);
    }

    @Override
    public void stopAsked(String turnId) {
        RecordedTurn here = running.get(turnId);
        if (here != null) {
            here.stop();
        }
    }

    /** Asks the store whether a stop of a turn running here, or an answer it waits for, came while it was deaf. */
    @Override
    public void mayHaveMissed() {
        for (String turnId : running.keySet()) {
            journals.stopWasAsked(turnId).subscribe().with(asked -> {
                if (asked) {
                    Log.infof("turn %s: a stop asked while this replica did not hear the store", turnId);
                    stopAsked(turnId);
                }
            }, failure -> Log.debugf("turn %s: could not ask whether it was stopped: %s", turnId,
                    failure.getMessage()));
        }
        approvals.mayHaveMissed();
    }
}
