package dev.parley.resilience;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Counts upstream retries by reason ({@code parley.upstream.retries}); reasons are a closed set of failure codes. */
@ApplicationScoped
public class RetryMeter {

    private final MeterRegistry registry;
    private final Map<String, Counter> byReason = new ConcurrentHashMap<>();

    RetryMeter(MeterRegistry registry) {
        this.registry = registry;
    }

    public void retried(String reason) {
        byReason.computeIfAbsent(reason, r -> Counter.builder("parley.upstream.retries")
                .description("Upstream calls tried again, by the failure that caused it").tag("reason", r)
                .register(registry)).increment();
    }
}
