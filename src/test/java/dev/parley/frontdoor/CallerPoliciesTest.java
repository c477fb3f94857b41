package dev.parley.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.MemorySize;

import dev.parley.usage.ShippedPrices;

/** Caller policies and the refusals they make, without a server: which request passes, and what a refusal says. */
class CallerPoliciesTest {

    private static final CallerPolicies POLICIES = new CallerPolicies(config(
            Map.of("narrow", policy(Optional.of(Set.of("claude-haiku-4-5")), OptionalInt.of(512),
                    Optional.of(Set.of("context-management-2025-06-27"))),
                    "anything", policy(Optional.empty(), OptionalInt.empty(), Optional.of(Set.of("*")))),
            Optional.empty()), ShippedPrices.pricing());

    @Test
    void aFallbackChainParleyCouldNotServeStopsTheStartUp() {
        assertThatThrownBy(() -> new CallerPolicies(config(Map.of("team", policy(Optional.empty(),
                OptionalInt.empty(), Optional.empty(), List.of("claude-nonesuch-1"))), Optional.empty()),
                ShippedPrices.pricing())).hasMessage("parley.front-door.callers.team.fallback-models names "
                        + "claude-nonesuch-1, which is not a model parley knows (it has no price: configure "
                        + "parley.pricing.models.claude-nonesuch-1.*)");
        assertThatThrownBy(() -> new CallerPolicies(config(Map.of(), Optional.of(policy(
                Optional.of(Set.of("claude-sonnet-4-6")), OptionalInt.empty(), Optional.empty(),
                List.of("claude-haiku-4-5")))), ShippedPrices.pricing())).hasMessage("parley.front-door.default"
                        + ".fallback-models names claude-haiku-4-5, which parley.front-door.default.models does not "
                        + "allow");
        assertThat(new CallerPolicies(config(Map.of("team", policy(Optional.empty(), OptionalInt.empty(),
                Optional.empty(), List.of("claude-haiku-4-5"))), Optional.empty()), ShippedPrices.pricing())
                .of("team").fallbackModels()).containsExactly("claude-haiku-4-5");
    }

    @Test
    void withoutAPolicyEveryModelPassesAndNoBeta() {
        assertThatCode(() -> POLICIES.check("someone", message("claude-opus-5-5", 64_000), Optional.empty()))
                .doesNotThrowAnyException();
        DoorRefusal refusal = refusal(() -> POLICIES.check("someone", message("claude-opus-5-5", 10),
                Optional.of("context-1m-2025-08-07")));
        assertThat(refusal.status()).isEqualTo(403);
        assertThat(refusal.errorType()).isEqualTo("permission_error");
        assertThat(refusal.stopsRetries()).isTrue();
    }

    @Test
    void aModelOutsideThePolicyIsForbiddenAndAMaxTokensAboveItsCeilingInvalid() {
        assertThat(refusal(() -> POLICIES.check("narrow", message("claude-sonnet-4-6", 10), Optional.empty()))
                .status()).isEqualTo(403);
        DoorRefusal ceiling = refusal(() -> POLICIES.check("narrow", message("claude-haiku-4-5", 513),
                Optional.empty()));
        assertThat(ceiling.status()).isEqualTo(400);
        assertThat(ceiling.errorType()).isEqualTo("invalid_request_error");
        assertThat(ceiling.message()).contains("513", "512");
        assertThatCode(() -> POLICIES.check("narrow", message("claude-haiku-4-5", 512),
                Optional.of(" context-management-2025-06-27 "))).doesNotThrowAnyException();
    }

    @Test
    void everyBetaOfTheHeaderMustPass() {
        assertThat(refusal(() -> POLICIES.checkBetas("narrow",
                Optional.of("context-management-2025-06-27,files-api-2025-04-14"))).message())
                .contains("files-api-2025-04-14");
        assertThatCode(() -> POLICIES.checkBetas("anything", Optional.of("files-api-2025-04-14,whatever")))
                .doesNotThrowAnyException();
    }

    @Test
    void fallbacksAreModelsTheRequestMayBeServedBy() {
        ClientRequest listed = ClientRequest.message(bytes("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,"
                + "\"fallbacks\":[{\"model\":\"claude-opus-5-5\"}],\"messages\":[]}"));
        assertThat(refusal(() -> POLICIES.check("narrow", listed, Optional.empty())).message())
                .contains("claude-opus-5-5");
        ClientRequest chosenUpstream = ClientRequest.message(bytes("{\"model\":\"claude-haiku-4-5\","
                + "\"max_tokens\":10,\"fallbacks\":\"default\",\"messages\":[]}"));
        assertThat(refusal(() -> POLICIES.check("narrow", chosenUpstream, Optional.empty())).message())
                .contains("\"default\"");
        ClientRequest tooLong = ClientRequest.message(bytes("{\"model\":\"claude-haiku-4-5\",\"max_tokens\":10,"
                + "\"fallbacks\":[{\"model\":\"claude-haiku-4-5\",\"max_tokens\":4096}],\"messages\":[]}"));
        assertThat(refusal(() -> POLICIES.check("narrow", tooLong, Optional.empty())).message()).contains("4096");
    }

    @Test
    void onlyAModelThePolicyNamesIsTaggedByItsName() {
        assertThat(POLICIES.names("narrow", "claude-haiku-4-5")).isTrue();
        assertThat(POLICIES.names("someone", "claude-haiku-4-5")).isFalse();
    }

    @Test
    void aLongWaitStopsRetriesInsteadOfBecomingARetryAfter() {
        DoorRefusal soon = DoorRefusal.after(429, "rate_limit_error", "soon", Duration.ofSeconds(30), false);
        assertThat(soon.retryAfter()).contains(Duration.ofSeconds(30));
        assertThat(soon.stopsRetries()).isFalse();
        assertThat(soon.headers("preq_1")).containsEntry("retry-after", "30").doesNotContainKey("x-should-retry");
        DoorRefusal later = DoorRefusal.after(429, "rate_limit_error", "later", Duration.ofHours(5), false);
        assertThat(later.retryAfter()).isEmpty();
        assertThat(later.headers("preq_1")).containsEntry("x-should-retry", "false").doesNotContainKey("retry-after");
    }

    private static ClientRequest message(String model, int maxTokens) {
        return ClientRequest.message(bytes("{\"model\":\"" + model + "\",\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"));
    }

    private static byte[] bytes(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private static DoorRefusal refusal(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        DoorRefusedException refused = catchThrowableOfType(DoorRefusedException.class, call);
        assertThat(refused).as("refused").isNotNull();
        return refused.refusal();
    }

    private static FrontDoorConfig.CallerPolicy policy(Optional<Set<String>> models, OptionalInt maxTokens,
            Optional<Set<String>> betas) {
        return policy(models, maxTokens, betas, null);
    }

    private static FrontDoorConfig.CallerPolicy policy(Optional<Set<String>> models, OptionalInt maxTokens,
            Optional<Set<String>> betas, List<String> fallbackModels) {
        return new FrontDoorConfig.CallerPolicy() {
            @Override
            public Optional<List<String>> fallbackModels() {
                return Optional.ofNullable(fallbackModels);
            }

            @Override
            public String fallbackOnOverload() {
                return "after-retries";
            }

            @Override
            public Optional<Set<String>> models() {
                return models;
            }

            @Override
            public OptionalInt maxTokens() {
                return maxTokens;
            }

            @Override
            public Optional<Set<String>> betas() {
                return betas;
            }
        };
    }

    private static FrontDoorConfig config(Map<String, FrontDoorConfig.CallerPolicy> callers,
            Optional<FrontDoorConfig.CallerPolicy> defaults) {
        return new FrontDoorConfig() {
            @Override
            public Map<String, CallerPolicy> callers() {
                return callers;
            }

            @Override
            public Optional<CallerPolicy> defaults() {
                return defaults;
            }

            @Override
            public MemorySize maxBodySize() {
                return new MemorySize(BigInteger.valueOf(8L << 20));
            }

            @Override
            public Duration deadline() {
                return Duration.ofMinutes(10);
            }
        };
    }
}
