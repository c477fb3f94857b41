package dev.parley.chat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithParentName;

/** Named assistant profiles: {@code parley.assistants.<name>.*}. A profile named {@code default} must exist. */
@ConfigMapping(prefix = "parley.assistants")
public interface AssistantsConfig {

    @WithParentName
    Map<String, Profile> profiles();

    /** One profile. */
    interface Profile {

        /** A line for UIs listing the profiles. */
        Optional<String> description();

        /** Model id or alias sent upstream. */
        String model();

        /** The system prompt. */
        String systemPrompt();

        /** Default and upper bound of a reply's {@code max_tokens}; a request may ask for fewer. */
        @WithDefault("4096")
        int maxTokens();

        /** Sampling temperature, if the profile sets one. */
        Optional<Double> temperature();

        /** Tools (by name) the model may call in this profile's chats. */
        Optional<List<String>> tools();

        /**
         * Mark the system prompt as a prompt-cache breakpoint: {@code none}, {@code 5m} or {@code 1h}. Pays off for
         * long prompts; prefixes shorter than the model's minimum are not cached.
         */
        @WithDefault("none")
        String cacheSystemPrompt();
    }

    /** Prompt caching of a profile's system prompt. */
    enum SystemPromptCache {
        NONE,
        FIVE_MINUTES,
        ONE_HOUR;

        /** Accepts the values as written in configuration: none, 5m, 1h. */
        public static SystemPromptCache of(String value) {
            return switch (value.trim()) {
                case "none" -> NONE;
                case "5m" -> FIVE_MINUTES;
                case "1h" -> ONE_HOUR;
                default -> throw new IllegalArgumentException("cache-system-prompt is none, 5m or 1h, not " + value);
            };
        }
    }
}
