package dev.parley.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.parley.anthropic.ThinkingConfig;
import dev.parley.chat.AssistantProfile.FallbackModel;
import dev.parley.chat.ProfileThinkingTest.TestProfile;
import dev.parley.usage.Pricing;
import dev.parley.usage.ShippedPrices;

/**
 * A profile's own fallback chain, read against the shipped price table: what each fallback model is sent, and the
 * chains that stop the start-up with one line naming the property.
 */
class ProfileFallbacksTest {

    private static Pricing pricing;

    @BeforeAll
    static void loadTheShippedPriceTable() {
        pricing = ShippedPrices.pricing();
    }

    @Test
    void eachFallbackModelIsSentTheProfilesSettingsAsThatModelTakesThem() {
        List<FallbackModel> chain = ProfileFallbacks.models("a",
                chain("claude-sonnet-4-6", null, "claude-haiku-4-5", "claude-opus-5-5"), pricing);

        assertThat(chain).extracting(FallbackModel::model).containsExactly("claude-haiku-4-5", "claude-opus-5-5");
        // Haiku 4.5 does not think unasked: no thinking; Opus 5.5 always does, and parley asks to see it.
        assertThat(chain.get(0).thinking()).isEmpty();
        assertThat(chain.get(1).thinking()).contains(new ThinkingConfig("adaptive", null, "summarized"));
        assertThat(ProfileFallbacks.models("a", chain("claude-sonnet-4-6", null), pricing)).isEmpty();
    }

    @Test
    void aChainParleyCouldNotServeStopsTheStartUp() {
        assertThatThrownBy(() -> ProfileFallbacks.models("a", chain("claude-sonnet-4-6", null, "claude-nonesuch-1"),
                pricing)).hasMessage("parley.assistants.a.fallback-models names claude-nonesuch-1, which is not a "
                        + "model parley knows (it has no price: configure parley.pricing.models.claude-nonesuch-1.*)");
        assertThatThrownBy(() -> ProfileFallbacks.models("a", chain("claude-sonnet-4-6", null, "claude-sonnet-4-6"),
                pricing)).hasMessage("parley.assistants.a.fallback-models names the profile's own model "
                        + "claude-sonnet-4-6");
        assertThatThrownBy(() -> ProfileFallbacks.models("a",
                chain("claude-sonnet-4-6", null, "claude-haiku-4-5", "claude-haiku-4-5"), pricing))
                .hasMessage("parley.assistants.a.fallback-models names claude-haiku-4-5 twice");
        assertThatThrownBy(() -> ProfileFallbacks.models("a", chain("claude-sonnet-4-6", null, "claude-haiku-4-5",
                "claude-opus-5-5", "claude-opus-4-6", "claude-haiku-5-5"), pricing)).hasMessageContaining("at most 3");
    }

    @Test
    void aFallbackModelThatRefusesTheProfilesThinkingStopsTheStartUp() {
        // A budget suits Sonnet 4.6; Opus 5.5 always thinks adaptively and would answer every fallen-back round 400.
        assertThatThrownBy(() -> ProfileFallbacks.models("a", chain("claude-sonnet-4-6", "2048", "claude-opus-5-5"),
                pricing)).hasMessageStartingWith("parley.assistants.a.fallback-models names claude-opus-5-5, which "
                        + "refuses this profile's settings: parley.assistants.a.thinking is a budget (2048), but "
                        + "claude-opus-5-5 always thinks");
    }

    @Test
    void overloadHandsOnAfterTheRetriesUnlessTheProfileSaysImmediately() {
        assertThat(ProfileFallbacks.atOnceOnOverload("a", onOverload("after-retries"))).isFalse();
        assertThat(ProfileFallbacks.atOnceOnOverload("a", onOverload("immediately"))).isTrue();
        assertThatThrownBy(() -> ProfileFallbacks.atOnceOnOverload("a", onOverload("soon"))).hasMessage(
                "parley.assistants.a.fallback-on-overload is after-retries or immediately, not soon");
    }

    private static TestProfile chain(String model, String thinking, String... fallbacks) {
        return new TestProfile(model, thinking, null, null, null, null, List.of(fallbacks), "after-retries");
    }

    private static TestProfile onOverload(String when) {
        return new TestProfile("claude-sonnet-4-6", null, null, null, null, null, null, when);
    }
}
