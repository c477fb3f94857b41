package dev.parley.frontdoor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The Anthropic-compatible front door ({@code parley.front-door.*}): what each caller may ask of the upstream through
 * it, and its limits. A caller without a policy of its own has the {@code default} one; without either, every model,
 * no {@code max_tokens} ceiling of parley's, and no {@code anthropic-beta} value.
 */
@ConfigMapping(prefix = "parley.front-door")
public interface FrontDoorConfig {

    /** Policies by caller name (the names of {@code parley.auth.keys}, or the gateway's caller header). */
    Map<String, CallerPolicy> callers();

    /**
     * The policy of every caller without one of its own. A caller's own policy replaces it whole: a key the caller's
     * policy leaves unset has its built-in meaning, not this policy's.
     */
    @WithName("default")
    Optional<CallerPolicy> defaults();

    /**
     * Largest request body, in bytes (the real API takes 32 MB; parley holds each body in memory until its answer, and
     * all bodies at once within {@code parley.requests.body-budget}). Default 8M.
     */
    @WithDefault("8M")
    MemorySize maxBodySize();

    /**
     * Longest a request may take, retries and their waits included (the official SDKs' own default timeout is ten
     * minutes); a stream still running then ends with an {@code error} event. Default 10m.
     */
    @WithDefault("10m")
    Duration deadline();

    /** One caller's policy. */
    interface CallerPolicy {

        /** The model ids or aliases the caller may name, exactly as it names them; unset: every model. */
        Optional<Set<String>> models();

        /** The largest {@code max_tokens} the caller may ask for; unset: parley sets no ceiling (the model has its own). */
        OptionalInt maxTokens();

        /**
         * The {@code anthropic-beta} values that pass, or {@code *} for any; unset: none (a beta can switch on
         * features, and prices, that nobody approved).
         */
        Optional<Set<String>> betas();

        /**
         * Parley's own fallback for this caller's messages: model ids tried in order, each with its own retries, when
         * the named model fails a message with overload, a 5xx or a transport failure before anything of it reached
         * the client. Each must have a price and be one of {@code models} when those are set. Unset: none.
         */
        Optional<List<String>> fallbackModels();

        /** {@code after-retries} (the default) or {@code immediately}: when an overloaded model hands a message on. */
        @WithDefault("after-retries")
        String fallbackOnOverload();
    }
}
