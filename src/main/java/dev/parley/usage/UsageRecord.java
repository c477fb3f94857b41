package dev.parley.usage;

import java.time.Duration;
import java.util.Optional;

/**
 * What one turn used: tokens summed over its upstream calls, cost (empty when the model's price is unknown), and
 * timings. {@code model} is the model requested by the assistant profile (a closed set, safe as a metric tag).
 */
public record UsageRecord(String requestId, String assistant, String model, TurnOutcome outcome, TokenUsage usage,
        Optional<Cost> cost, Optional<Duration> timeToFirstToken, Duration duration) {
}
