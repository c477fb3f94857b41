package dev.parley.resume;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

import dev.parley.chat.ToolApprovals;

/**
 * The waits of this replica's turns for their callers' answers to tool calls, and the answers given here: kept in the
 * turns' store ({@code parley.streams.store}), so an answer given to any replica reaches the one that runs the turn
 * (through the store's signals), only from the turn's caller, and once per call. Works for every streamed turn,
 * resumable or not.
 */
@ApplicationScoped
public class TurnApprovals implements ToolApprovals {

    /** How long the record of a wait outlives the wait, so a late second answer is told it came twice. */
    private static final Duration KEPT_AFTER = Duration.ofMinutes(1);

    private final TurnJournals journals;
    /** The waits of turns running here, by turn id. */
    private final Map<String, Waiting> waiting = new ConcurrentHashMap<>();

    /** One wait: the calls it waits for, and where their answers go. */
    private record Waiting(List<String> callIds, Answers answers) {
    }

    TurnApprovals(TurnJournals journals) {
        this.journals = journals;
    }

    @Override
    public Uni<Runnable> await(String turnId, String caller, List<String> callIds, Duration waitFor,
            Answers answers) {
        // Listening first: an answer can come as soon as the store has the record.
        Waiting wait = new Waiting(List.copyOf(callIds), answers);
        waiting.put(turnId, wait);
        return journals.awaitApprovals(turnId, caller, callIds, waitFor.plus(KEPT_AFTER))
                .onFailure().invoke(failure -> waiting.remove(turnId, wait))
                // The turn ended before the wait was recorded: nothing waits here any more (the record expires).
                .onCancellation().invoke(() -> waiting.remove(turnId, wait))
                .replaceWith(() -> () -> {
                    waiting.remove(turnId, wait);
                    journals.closeApprovals(turnId, callIds).subscribe().with(ignored -> {
                    }, failure -> Log.debugf("turn %s: could not close its approvals (they expire): %s", turnId,
                            failure.getMessage()));
                });
    }

    /** The caller's answer to a call its turn waits for, wherever the turn runs. */
    public Uni<TurnJournals.ApprovalAnswer> answer(String turnId, String caller, String callId, Decision decision) {
        return journals.answerApproval(turnId, caller, callId, decision == Decision.APPROVE);
    }

    /** An answer reached this replica (from here, or through the store's signals): to the turn, if it runs here. */
    void given(String turnId, String callId, boolean approved) {
        Waiting wait = waiting.get(turnId);
        if (wait != null) {
            wait.answers().answered(callId, approved ? Decision.APPROVE : Decision.DENY);
        }
    }

    /**
     * The store's signals may have been lost: the answers kept for the calls waited for here are given again (a
     * call already told its answer ignores it).
     */
    void mayHaveMissed() {
        waiting.forEach((turnId, wait) -> journals.approvalsGiven(turnId, wait.callIds()).subscribe().with(
                given -> given.forEach((callId, approved) -> given(turnId, callId, approved)),
                failure -> Log.debugf("turn %s: could not ask for its approvals: %s", turnId, failure.getMessage())));
    }
}
