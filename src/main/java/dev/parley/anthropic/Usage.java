package dev.parley.anthropic;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Token usage as the API reports it (§1.4, §2.3). Counters are boxed: in a {@code message_delta} an absent counter
 * means "unchanged", which is not the same as zero.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection
public record Usage(Long inputTokens, Long outputTokens, Long cacheCreationInputTokens, Long cacheReadInputTokens,
        CacheCreation cacheCreation, String serviceTier, OutputTokensDetails outputTokensDetails,
        List<Iteration> iterations) {

    public static final Usage EMPTY = new Usage(0L, 0L, 0L, 0L, null, null, null, null);

    /** The split of output: {@code thinking_tokens} is the part spent thinking. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record OutputTokensDetails(Long thinkingTokens) {
    }

    /**
     * One hop of a request the upstream served in several (its server-side fallback moved it to another model): the
     * model that served the hop and what the hop used, billed at that model's rates.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record Iteration(String type, String model, Long inputTokens, Long outputTokens,
            Long cacheCreationInputTokens, Long cacheReadInputTokens, CacheCreation cacheCreation) {

        /** The hop's counters as a usage of their own. */
        public Usage usage() {
            return new Usage(inputTokens, outputTokens, cacheCreationInputTokens, cacheReadInputTokens, cacheCreation,
                    null, null, null);
        }
    }

    /** The split of cache writes by TTL. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    public record CacheCreation(@JsonProperty("ephemeral_5m_input_tokens") Long ephemeral5mInputTokens,
            @JsonProperty("ephemeral_1h_input_tokens") Long ephemeral1hInputTokens) {
    }

    /**
     * This usage updated by a later report: {@code output_tokens} is replaced, the other counters are replaced when
     * present and never added, as the official SDKs do (§2.3).
     */
    public Usage updatedBy(Usage later) {
        if (later == null) {
            return this;
        }
        return new Usage(orElse(later.inputTokens, inputTokens), orElse(later.outputTokens, outputTokens),
                orElse(later.cacheCreationInputTokens, cacheCreationInputTokens),
                orElse(later.cacheReadInputTokens, cacheReadInputTokens),
                later.cacheCreation != null ? later.cacheCreation : cacheCreation,
                later.serviceTier != null ? later.serviceTier : serviceTier,
                later.outputTokensDetails != null ? later.outputTokensDetails : outputTokensDetails,
                later.iterations != null ? later.iterations : iterations);
    }

    /** The thinking part of the output, 0 when not reported. */
    public long thinking() {
        return outputTokensDetails == null ? 0 : value(outputTokensDetails.thinkingTokens);
    }

    public long input() {
        return value(inputTokens);
    }

    public long output() {
        return value(outputTokens);
    }

    public long cacheRead() {
        return value(cacheReadInputTokens);
    }

    /**
     * Cache writes with a five-minute TTL. Responses without the TTL breakdown bill all writes at the five-minute
     * rate (§6.2).
     */
    public long cacheWrite5m() {
        if (cacheCreation == null || cacheCreation.ephemeral5mInputTokens == null) {
            return value(cacheCreationInputTokens) - cacheWrite1h();
        }
        return cacheCreation.ephemeral5mInputTokens;
    }

    public long cacheWrite1h() {
        return cacheCreation == null ? 0 : value(cacheCreation.ephemeral1hInputTokens);
    }

    private static Long orElse(Long value, Long fallback) {
        return value != null ? value : fallback;
    }

    private static long value(Long count) {
        return count == null ? 0 : count;
    }
}
