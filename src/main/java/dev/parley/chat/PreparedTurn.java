package dev.parley.chat;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

import dev.parley.anthropic.InputMessage;
import dev.parley.anthropic.MessageRequest;
import dev.parley.ratelimit.CallerAnswer;
import dev.parley.usage.budget.Reservation;

/**
 * A turn that passed every check and is ready to call the upstream.
 *
 * @param turnId parley's own id of the turn: the key of its ledger row and of its budget reservation
 * @param conversationId the conversation the turn will be committed to, if any (new or existing)
 * @param storedLength how many messages the conversation had when the turn began
 * @param deadline how long the whole turn may take, counted from its admission: the budget check and the wait for an
 *            upstream permit included
 * @param admittedNanos {@link System#nanoTime()} when the turn was admitted, where its deadline starts
 * @param budget what the turn holds of its caller's budget, if the caller has one
 * @param thinking which stored thinking the turn's messages may carry, committed with the turn
 * @param countedInput the first round's input tokens as the upstream counted them, when they were (for a budget)
 * @param rateLimits what the turn holds of its caller's rate limits and where the caller stands, if it has limits
 */
public record PreparedTurn(String turnId, String requestId, String caller, AssistantProfile profile,
        MessageRequest request, InputMessage userMessage, Optional<String> conversationId, int storedLength,
        Duration deadline, long admittedNanos, Optional<Reservation.Granted> budget, ThinkingBinding thinking,
        OptionalLong countedInput, Optional<CallerAnswer.Admitted> rateLimits) {

    PreparedTurn holding(Reservation.Granted hold, long input) {
        return new PreparedTurn(turnId, requestId, caller, profile, request, userMessage, conversationId, storedLength,
                deadline, admittedNanos, Optional.of(hold), thinking, OptionalLong.of(input), rateLimits);
    }

    PreparedTurn limitedBy(CallerAnswer.Admitted limits) {
        return new PreparedTurn(turnId, requestId, caller, profile, request, userMessage, conversationId, storedLength,
                deadline, admittedNanos, budget, thinking, countedInput, Optional.of(limits));
    }

    /** What is left of the turn's deadline now (zero once it passed). */
    Duration remaining() {
        long left = admittedNanos + deadline.toNanos() - System.nanoTime();
        return Duration.ofNanos(Math.max(0, left));
    }
}
