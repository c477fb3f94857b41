package dev.parley.resume;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

import dev.parley.resilience.ShutdownCoordinator;

/**
 * The resumable turns this replica runs and the resumes it serves: it makes each turn's {@link RecordedTurn}, routes
 * a stop to the turn (here, or through the store to the replica that runs it), and wakes the resumes of a turn when
 * its journal grows.
 */
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
    private final Map<String, RecordedTurn> running = new ConcurrentHashMap<>();
    private final Map<String, Set<Follower>> followers = new ConcurrentHashMap<>();

    ResumableTurns(TurnJournals journals, StreamsConfig config, ShutdownCoordinator shutdown) {
        this.journals = journals;
        this.config = config;
        this.shutdown = shutdown;
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
            if (state.get().ended() || state.get().lost(Instant.now())) {
                return Uni.createFrom().item(StopAnswer.ALREADY_ENDED);
            }
            RecordedTurn here = running.get(turnId);
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
    }

    /** How many resumable turns run here and how many resumes are served here (for the bounds' tests). */
    public int runningHere() {
        return running.size();
    }

    @Override
    public void appended(String turnId) {
        Set<Follower> here = followers.get(turnId);
        if (here != null) {
            here.forEach(Follower::wake);
        }
    }

    @Override
    public void stopAsked(String turnId) {
        RecordedTurn here = running.get(turnId);
        if (here != null) {
            here.stop();
        }
    }
}
