package dev.parley.resilience;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts upstream retries by reason ({@code parley.upstream.retries}) and rounds handed to a fallback model
 * ({@code parley.upstream.fallbacks}, by model and reason). Reasons are a closed set of failure codes; models come from
 * configuration (the profiles' and the front door's fallback chains), so they are a closed set too.
 */
@ApplicationScoped
public class RetryMeter {

    private final MeterRegistry registry;
    private final Map<String, Counter> byReason = new ConcurrentHashMap<>();
    private final Map<String, Counter> fallbacks = new ConcurrentHashMap<>();

    RetryMeter(MeterRegistry registry) {
        this.registry = registry;
    }

    public void retried(String reason) {
        byReason.computeIfAbsent(reason, r -> Counter.builder("parley.upstream.retries")
                .description("Upstream calls tried again, by the failure that caused it").tag("reason", r)
                .register(registry)).increment();
    }

    /** A round failed on {@code from} for {@code reason} and goes to {@code to}. */
    public void fellBack(String from, String to, String reason) {
        fallbacks.computeIfAbsent(from + '\u0000' + to + '\u0000' + reason,
                key -> Counter.builder("parley.upstream.fallbacks")
                        .description("Rounds handed to the next model of a fallback chain, by the model that failed "
                                + "them, the model that takes over and the failure")
                        .tag("from", from).tag("to", to).tag("reason", reason).register(registry))
                .increment();
    }
}
