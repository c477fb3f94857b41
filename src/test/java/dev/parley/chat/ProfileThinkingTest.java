package dev.parley.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import dev.parley.anthropic.ThinkingConfig;

/** What a profile's thinking options send, and which combinations stop the start-up, by model family. */
class ProfileThinkingTest {

    @Test
    void aModelThatAlwaysThinksThinksAdaptivelyAndShowsItByDefault() {
        assertThat(ProfileThinking.thinking("a", profile("claude-opus-5-5", null, null, null)))
                .contains(new ThinkingConfig("adaptive", null, "summarized"));
        assertThat(ProfileThinking.thinking("a", profile("claude-fable-5-2", null, "omitted", null)))
                .contains(new ThinkingConfig("adaptive", null, "omitted"));
    }

    @Test
    void olderModelsSendNoThinkingUnlessAsked() {
        assertThat(ProfileThinking.thinking("a", profile("claude-sonnet-4-6", null, null, null))).isEmpty();
        assertThat(ProfileThinking.thinking("a", profile("claude-sonnet-4-6", "2048", null, null)))
                .contains(new ThinkingConfig("enabled", 2048L, "summarized"));
        assertThat(ProfileThinking.thinking("a", profile("claude-sonnet-5-5", "between-tools", null, null)))
                .contains(new ThinkingConfig("between_tools", null, null));
        assertThat(ProfileThinking.thinking("a", profile("claude-haiku-4-5", "disabled", null, null)))
                .contains(new ThinkingConfig("disabled", null, null));
    }

    @Test
    void whatTheModelRefusesStopsTheStartUpNamingTheKey() {
        assertThatThrownBy(() -> ProfileThinking.thinking("agent", profile("claude-opus-5-5", "disabled", null, null)))
                .hasMessage("parley.assistants.agent.thinking is disabled, but claude-opus-5-5 always thinks and"
                        + " refuses it: use adaptive and set effort for depth");
        assertThatThrownBy(() -> ProfileThinking.thinking("agent", profile("claude-fable-5-2", "4096", null, null)))
                .hasMessageContaining("claude-fable-5-2 always thinks");
        assertThatThrownBy(() -> ProfileThinking.thinking("agent", profile("claude-haiku-4-5", "adaptive", null,
                null))).hasMessage("parley.assistants.agent.thinking is adaptive, which claude-haiku-4-5 does not"
                        + " accept");
        assertThatThrownBy(() -> ProfileThinking.thinking("agent", profile("claude-sonnet-4-6", "512", null, null)))
                .hasMessageContaining("at least 1024 and below max-tokens (4096), was 512");
        assertThatThrownBy(() -> ProfileThinking.thinking("agent", profile("claude-sonnet-4-6", "disabled",
                "summarized", null))).hasMessageContaining("thinking is disabled");
        assertThatThrownBy(() -> ProfileThinking.thinking("agent", profile("claude-opus-5-5", null, "full", null)))
                .hasMessageContaining("thinking-display is summarized, omitted or updates, not full");
        assertThatThrownBy(() -> ProfileThinking.thinking("agent", profile("claude-opus-5-5", null, null, 0.2)))
                .hasMessageContaining("temperature must be 1 or unset");
    }

    @Test
    void theFiveFiveModelsThinkUnaskedSoParleyAsksToSeeItAndTheirWaysToTurnItOffAreChecked() {
        assertThat(ProfileThinking.thinking("a", profile("claude-sonnet-5-5", null, null, null)))
                .contains(new ThinkingConfig("adaptive", null, "summarized"));
        assertThat(ProfileThinking.thinking("a", profile("claude-sonnet-5", null, null, null)))
                .contains(new ThinkingConfig("adaptive", null, "summarized"));
        assertThat(ProfileThinking.thinking("a", profile("claude-opus-4-8", null, null, null))).isEmpty();
        assertThat(ProfileThinking.thinking("a", new TestProfile("claude-haiku-5-5", "disabled", null, null, "high",
                null))).contains(new ThinkingConfig("disabled", null, null));
        assertThatThrownBy(() -> ProfileThinking.thinking("agent", new TestProfile("claude-haiku-5-5", "disabled",
                null, null, "xhigh", null))).hasMessage("parley.assistants.agent.thinking is disabled with effort "
                        + "xhigh, which claude-haiku-5-5 refuses: use effort high or below, or adaptive thinking");
        assertThatThrownBy(() -> ProfileThinking.thinking("agent", profile("claude-sonnet-5-5", "disabled", null,
                null))).hasMessage("parley.assistants.agent.thinking is disabled, which claude-sonnet-5-5 does not "
                        + "accept");
        assertThatThrownBy(() -> ProfileThinking.thinking("agent", profile("claude-opus-5-5", "between-tools", null,
                null))).hasMessage("parley.assistants.agent.thinking is between-tools, which claude-opus-5-5 does not "
                        + "accept");
        assertThatThrownBy(() -> ProfileThinking.thinking("agent", profile("claude-sonnet-5-5", "between-tools",
                "updates", null))).hasMessageContaining("the API takes no display with thinking between-tools");
    }

    @Test
    void aTemperatureIsRefusedUnderTheApiVersionThatRemovedIt() {
        ProfileThinking.checkSampling("a", profile("claude-sonnet-4-6", null, null, 0.5), "2023-06-01");
        ProfileThinking.checkSampling("a", profile("claude-sonnet-4-6", null, null, null), "2026-10-21");
        assertThatThrownBy(() -> ProfileThinking.checkSampling("agent", profile("claude-sonnet-4-6", null, null,
                1.0), "2026-10-21")).hasMessage("parley.assistants.agent.temperature is set, but the API version "
                        + "2026-10-21 (parley.anthropic.version) refuses temperature: unset it or use 2023-06-01");
    }

    @Test
    void effortIsCheckedAgainstTheModelsLevels() {
        assertThatThrownBy(() -> ProfileThinking.effort("agent", new TestProfile("claude-sonnet-4-6", null, null,
                null, "xhigh", null))).hasMessage("parley.assistants.agent.effort is xhigh, which claude-sonnet-4-6 "
                        + "does not accept (it takes low, medium, high, max)");
        assertThatThrownBy(() -> ProfileThinking.effort("agent", new TestProfile("claude-haiku-4-5", null, null,
                null, "low", null))).hasMessage("parley.assistants.agent.effort is low, which claude-haiku-4-5 does "
                        + "not take (it has no effort setting)");
    }

    @Test
    void aModelParleyDoesNotKnowIsAllowedEverything() {
        assertThat(ProfileThinking.thinking("a", profile("claude-future-9", "disabled", null, null)))
                .contains(new ThinkingConfig("disabled", null, null));
        assertThat(ProfileThinking.thinking("a", profile("claude-future-9", "between-tools", null, null)))
                .contains(new ThinkingConfig("between_tools", null, null));
    }

    @Test
    void effortAndFallbacksAreCheckedToo() {
        assertThat(ProfileThinking.effort("a", new TestProfile("claude-opus-5-5", null, null, null, "xhigh", null)))
                .contains("xhigh");
        assertThatThrownBy(() -> ProfileThinking.effort("a",
                new TestProfile("claude-opus-5-5", null, null, null, "extreme", null)))
                .hasMessageContaining("effort is low, medium, high, xhigh or max, not extreme");
        assertThat(ProfileThinking.fallbacks("a", new TestProfile("claude-opus-5-5", null, null, null, null,
                List.of("default")))).containsExactly("default");
        assertThatThrownBy(() -> ProfileThinking.fallbacks("a", new TestProfile("claude-opus-5-5", null, null, null,
                null, List.of("default", "claude-opus-5")))).hasMessageContaining("'default' lets the API choose");
        assertThatThrownBy(() -> ProfileThinking.fallbacks("a", new TestProfile("claude-opus-5-5", null, null, null,
                null, List.of("claude-opus-5-5")))).hasMessageContaining("names the profile's own model");
        assertThatThrownBy(() -> ProfileThinking.fallbacks("a", new TestProfile("claude-opus-5-5", null, null, null,
                null, List.of("a", "b", "c", "d")))).hasMessageContaining("at most 3");
    }

    private static AssistantsConfig.Profile profile(String model, String thinking, String display,
            Double temperature) {
        return new TestProfile(model, thinking, display, temperature, null, null);
    }

    /** A profile as configuration gives it; only what thinking reads is set. */
    record TestProfile(String model, String thinkingValue, String display, Double temperatureValue,
            String effortValue, List<String> serverFallbacks, List<String> chain, String onOverload)
            implements
                AssistantsConfig.Profile {

        TestProfile(String model, String thinkingValue, String display, Double temperatureValue, String effortValue,
                List<String> serverFallbacks) {
            this(model, thinkingValue, display, temperatureValue, effortValue, serverFallbacks, null, "after-retries");
        }

        @Override
        public Optional<List<String>> fallbackModels() {
            return Optional.ofNullable(chain);
        }

        @Override
        public String fallbackOnOverload() {
            return onOverload;
        }

        @Override
        public Optional<String> description() {
            return Optional.empty();
        }

        @Override
        public String systemPrompt() {
            return "You test.";
        }

        @Override
        public int maxTokens() {
            return 4096;
        }

        @Override
        public Optional<Double> temperature() {
            return Optional.ofNullable(temperatureValue);
        }

        @Override
        public Optional<List<String>> tools() {
            return Optional.empty();
        }

        @Override
        public Optional<List<String>> mcpServers() {
            return Optional.empty();
        }

        @Override
        public String cacheSystemPrompt() {
            return "none";
        }

        @Override
        public String cacheTools() {
            return "none";
        }

        @Override
        public String cacheConversation() {
            return "none";
        }

        @Override
        public Optional<String> thinking() {
            return Optional.ofNullable(thinkingValue);
        }

        @Override
        public Optional<String> thinkingDisplay() {
            return Optional.ofNullable(display);
        }

        @Override
        public Optional<String> effort() {
            return Optional.ofNullable(effortValue);
        }

        @Override
        public boolean showThinking() {
            return true;
        }

        @Override
        public Optional<List<String>> fallbacks() {
            return Optional.ofNullable(serverFallbacks);
        }
    }
}
