package dev.parley.simulator;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The rate limits of each API key the simulator accepts, per model (§3.3: limits are per model class; here each model
 * is a class of its own): requests, input tokens (uncached input plus cache writes; cache reads are free of the limit)
 * and output tokens per window, reported in the
 * {@code anthropic-ratelimit-*} headers of every answer and enforced: a request that would exceed what remains is
 * answered 429 {@code rate_limit_error} with {@code retry-after}, as the real API does. The window is fixed (it
 * refills whole at its reset) where the real API's bucket refills continuously: a client that waits for the reset it
 * was told is right on both. The defaults are a generous tier's; a test sets small ones with
 * {@code POST /simulator/admin/rate-limits}.
 */
@ApplicationScoped
public class RateLimitWindow {

    /** Any key, or any model, in a test's limits. */
    static final String ANY = "*";

    private final SimulatorConfig.RateLimits defaults;
    /** Per key and model (either may be {@link #ANY}): the limits a test set, in place of the defaults. */
    private final Map<Slot, Limits> overrides = new HashMap<>();
    private final Map<Slot, Window> windows = new HashMap<>();

    private record Slot(String key, String model) {

        boolean covers(Slot other) {
            return (key.equals(ANY) || key.equals(other.key)) && (model.equals(ANY) || model.equals(other.model));
        }
    }

    RateLimitWindow(SimulatorConfig config) {
        this.defaults = config.rateLimits();
    }

    /** Limits per window. */
    record Limits(long requests, long inputTokens, long outputTokens, Duration window) {
    }

    /** One key's current window and what it has used of it, and what it served and refused since the last reset. */
    private static final class Window {
        Instant start;
        long requests;
        long inputTokens;
        long outputTokens;
        long served;
        long refused;
    }

    /**
     * Admits one request of {@code key} with {@code input} tokens that count against the input limit, or refuses it
     * with a 429 carrying the limits' headers and {@code retry-after}. Admitted, the request counts at once; its output
     * counts when {@link #recordOutput} is told it.
     */
    synchronized Map<String, String> admit(String key, String model, long input) {
        Instant now = Instant.now();
        Slot slot = new Slot(key, model);
        Limits limits = limitsOf(slot);
        Window window = current(slot, limits, now);
        boolean fits = window.requests < limits.requests()
                && window.inputTokens + input <= limits.inputTokens()
                && window.outputTokens < limits.outputTokens();
        if (!fits) {
            window.refused++;
            Map<String, String> headers = new LinkedHashMap<>(headers(limits, window));
            Duration wait = Duration.between(now, reset(limits, window));
            headers.put("retry-after", Long.toString(Math.max(1, (wait.toMillis() + 999) / 1000)));
            throw new SimulatedApiError(ErrorType.RATE_LIMIT.status(), ErrorType.RATE_LIMIT.wireName(),
                    window.inputTokens + input > limits.inputTokens()
                            ? ErrorType.RATE_LIMIT.defaultMessage()
                            : "This request would exceed your organization's rate limit. Please reduce the prompt "
                                    + "length or the maximum tokens requested, or try again later.",
                    headers);
        }
        window.requests++;
        window.inputTokens += input;
        window.served++;
        return headers(limits, window);
    }

    /** The output a request of {@code key} generated, counted against its window's output limit. */
    synchronized void recordOutput(String key, String model, long output) {
        Window window = windows.get(new Slot(key, model));
        if (window != null) {
            window.outputTokens += output;
        }
    }

    /**
     * Sets {@code limits} for {@code key} and {@code model} (either may be {@link #ANY}) and starts their windows
     * afresh, until the next {@link #reset}.
     */
    synchronized void limit(String key, String model, Limits limits) {
        Slot slot = new Slot(key, model);
        overrides.put(slot, limits);
        windows.keySet().removeIf(slot::covers);
    }

    /** Back to the configured limits, every window afresh. */
    synchronized void reset() {
        overrides.clear();
        windows.clear();
    }

    /** What a test may want to see of a key's window for a model (the key itself is never shown). */
    synchronized ObjectNode describe(String key, String model) {
        Instant now = Instant.now();
        Slot slot = new Slot(key, model);
        Limits limits = limitsOf(slot);
        Window window = current(slot, limits, now);
        ObjectNode node = SimJson.MAPPER.createObjectNode();
        node.put("requests", window.requests).put("inputTokens", window.inputTokens)
                .put("outputTokens", window.outputTokens).put("served", window.served)
                .put("refused", window.refused).put("reset", reset(limits, window).toString());
        return node;
    }

    /** A test's limits, the most specific first, else the configured ones. */
    private Limits limitsOf(Slot slot) {
        for (Slot candidate : new Slot[]{slot, new Slot(slot.key, ANY), new Slot(ANY, slot.model),
                new Slot(ANY, ANY)}) {
            Limits limits = overrides.get(candidate);
            if (limits != null) {
                return limits;
            }
        }
        return new Limits(defaults.requests(), defaults.inputTokens(), defaults.outputTokens(), defaults.window());
    }

    /** The key's window at {@code now}: a new one once the last has passed its reset (its totals carried over). */
    private Window current(Slot slot, Limits limits, Instant now) {
        Window window = windows.computeIfAbsent(slot, ignored -> {
            Window fresh = new Window();
            fresh.start = windowStart(limits, now);
            return fresh;
        });
        if (!now.isBefore(reset(limits, window))) {
            window.start = windowStart(limits, now);
            window.requests = 0;
            window.inputTokens = 0;
            window.outputTokens = 0;
        }
        return window;
    }

    /**
     * A minute's window starts on the minute, as the headers of a per-minute limit suggest; others on this second, so
     * that the reset the headers name (to the second, as the API's) is exact.
     */
    private static Instant windowStart(Limits limits, Instant now) {
        return now.truncatedTo(limits.window().equals(Duration.ofMinutes(1)) ? ChronoUnit.MINUTES : ChronoUnit.SECONDS);
    }

    private static Instant reset(Limits limits, Window window) {
        return window.start.plus(limits.window());
    }

    private static Map<String, String> headers(Limits limits, Window window) {
        String reset = reset(limits, window).toString();
        long inputRemaining = roundToThousands(Math.max(0, limits.inputTokens() - window.inputTokens));
        long outputRemaining = roundToThousands(Math.max(0, limits.outputTokens() - window.outputTokens));
        return Map.ofEntries(
                Map.entry("anthropic-ratelimit-requests-limit", Long.toString(limits.requests())),
                Map.entry("anthropic-ratelimit-requests-remaining",
                        Long.toString(Math.max(0, limits.requests() - window.requests))),
                Map.entry("anthropic-ratelimit-requests-reset", reset),
                Map.entry("anthropic-ratelimit-input-tokens-limit", Long.toString(limits.inputTokens())),
                Map.entry("anthropic-ratelimit-input-tokens-remaining", Long.toString(inputRemaining)),
                Map.entry("anthropic-ratelimit-input-tokens-reset", reset),
                Map.entry("anthropic-ratelimit-output-tokens-limit", Long.toString(limits.outputTokens())),
                Map.entry("anthropic-ratelimit-output-tokens-remaining", Long.toString(outputRemaining)),
                Map.entry("anthropic-ratelimit-output-tokens-reset", reset),
                Map.entry("anthropic-ratelimit-tokens-limit",
                        Long.toString(limits.inputTokens() + limits.outputTokens())),
                Map.entry("anthropic-ratelimit-tokens-remaining", Long.toString(inputRemaining + outputRemaining)),
                Map.entry("anthropic-ratelimit-tokens-reset", reset));
    }

    private static long roundToThousands(long value) {
        return Math.round(value / 1000.0) * 1000;
    }
}
