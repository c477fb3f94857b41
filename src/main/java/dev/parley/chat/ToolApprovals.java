package dev.parley.chat;

import java.time.Duration;
import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * Where a running turn waits for its caller's answers to tool calls that need approval, and where the answers are
 * given: on this replica, or on another one that reaches the turn's replica through the shared store.
 */
public interface ToolApprovals {

    /** What the caller decided about one call. */
    enum Decision {
        APPROVE,
        DENY
    }

    /** Told each answer to the calls of one wait, each once; called on any thread. */
    interface Answers {
        void answered(String callId, Decision decision);
    }

    /**
     * Records that the turn {@code turnId} of {@code caller} waits for answers to these calls, for at most
     * {@code wait}, and sends their answers to {@code answers}. Completes once an answer can be given; the item lets
     * go of the wait (after it, an answer to a call of it that was not answered yet is refused as unknown).
     */
    Uni<Runnable> await(String turnId, String caller, List<String> callIds, Duration wait, Answers answers);
}
