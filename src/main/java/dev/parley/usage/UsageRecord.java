package dev.parley.usage;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one turn used: tokens summed over its upstream calls, cost (empty when the model's price is unknown), and
 * timings. {@code model} is the model requested by the assistant profile (a closed set, safe as a metric tag).
 *
 * @param requestId the request's id, unique per turn (the ledger's key)
 * @param at when the turn started
 * @param turnId unique per turn, made by parley (the request id may come from the client and repeat)
 * @param caller who asked (the API's authenticated caller; {@code anonymous} without authentication)
 * @param assistant the assistant profile's name
 * @param conversationId the stored conversation the turn belongs to, if any
 * @param model the model requested
 * @param outcome how the turn ended
 * @param rounds upstream rounds the turn sent (a tool loop has several), the unfinished one included
 * @param usage tokens over all rounds
 * @param outputTokensFinal whether the output count is the upstream's final one; a turn that did not complete
 *        reports what was counted when it ended
 * @param cost what the usage costs, when the model is priced
 * @param timeToFirstToken time to the first text sent to the client, if any was sent
 * @param duration the whole turn, tools included
 * @param upstreamRounds the upstream's ids and serving models of each round that got an answer, in order
 * @param stopReason the model's stop reason of the last round, when it ended with one
 * @param stopDetails the upstream's {@code stop_details} of the last round (a JSON object, as the upstream sent it),
 *        e.g. a refusal's category
 * @param serviceTier the upstream's {@code service_tier} of the last round that reported one
 */
public record UsageRecord(String turnId, String requestId, Instant at, String caller, String assistant,
        Optional<String> conversationId, String model, TurnOutcome outcome, int rounds, TokenUsage usage,
        boolean outputTokensFinal, Optional<Cost> cost, Optional<Duration> timeToFirstToken, Duration duration,
        List<UpstreamRound> upstreamRounds, Optional<String> stopReason, Optional<String> stopDetails,
        Optional<String> serviceTier) {

    public UsageRecord {
        upstreamRounds = List.copyOf(upstreamRounds);
    }

    /** Every model that served a round of the turn, each once, in the order they first served. */
    public List<String> servedModels() {
        return upstreamRounds.stream().flatMap(round -> round.servedBy().stream()).distinct().toList();
    }
}
