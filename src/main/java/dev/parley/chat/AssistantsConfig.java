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
         * MCP servers (by name, {@code parley.mcp.servers.<name>}) whose tools the model may call in this profile's
         * chats, besides {@code tools}: whatever each lists at the time of a turn. Default: none.
         */
        Optional<List<String>> mcpServers();

        /**
         * Mark the system prompt as a prompt-cache breakpoint: {@code none}, {@code 5m} or {@code 1h}. Pays off for
         * long prompts; prefixes shorter than the model's minimum are not cached.
         */
        @WithDefault("none")
        String cacheSystemPrompt();

        /**
         * Mark the tool definitions as a prompt-cache breakpoint: {@code none}, {@code 5m} or {@code 1h}. They come
         * first in the prompt, so they are the prefix every request of the profile shares.
         */
        @WithDefault("none")
        String cacheTools();

        /**
         * Cache the conversation: {@code none}; {@code 5m} or {@code 1h}, a breakpoint on the last message of every
         * request (each round of a tool loop, each turn of a conversation reads the earlier ones from the cache); or
         * {@code automatic}, the API's top-level {@code cache_control}, which moves the breakpoint itself.
         */
        @WithDefault("none")
        String cacheConversation();

        /**
         * Thinking: {@code adaptive}, {@code between-tools} (none before the first tool call), {@code disabled}, or a
         * token budget (a number, at least 1024 and below max-tokens). Default: {@code adaptive} on models that always
         * think (Opus 5.5, Fable 5.1 and 5.2, Mythos 5.1 and 5.2), none sent otherwise (the model's own default).
         */
        Optional<String> thinking();

        /**
         * What the thinking text holds: {@code summarized}, {@code omitted} (empty: the client sees only that the
         * model thought) or {@code updates} (short progress notes between tool calls). Default {@code summarized}
         * wherever thinking is on, so a tool loop is never silent between its calls.
         */
        Optional<String> thinkingDisplay();

        /** {@code output_config.effort}: low, medium, high, xhigh or max. Default: the model's own. */
        Optional<String> effort();

        /** Whether clients are sent the thinking ({@code thinking} events, {@code POST /v1/chat}'s thinking). */
        @WithDefault("true")
        boolean showThinking();

        /**
         * The API's server-side fallback (beta): {@code default} (the API picks) or up to three model ids, tried in
         * order when the profile's model refuses a request. Each hop is billed at the model that served it.
         */
        Optional<List<String>> fallbacks();

        /**
         * Parley's own fallback: model ids tried in order, each with its own retries, when a round fails with overload,
         * a 5xx or a transport failure before anything of it reached the client. Each must have a price. Unset: none.
         */
        Optional<List<String>> fallbackModels();

        /**
         * When an overloaded model ({@code 529}, {@code overloaded_error}) hands its round to the next fallback model:
         * {@code after-retries} (the default: the retries first, as for any failure) or {@code immediately}.
         */
        @WithDefault("after-retries")
        String fallbackOnOverload();
    }

    /** The lifetime of a prompt-cache breakpoint, or none. */
    enum CacheTtl {
        NONE,
        FIVE_MINUTES,
        ONE_HOUR;

        /** Accepts the values as written in configuration: none, 5m, 1h; {@code key} names the property. */
        public static CacheTtl of(String key, String value) {
            return switch (value.trim()) {
                case "none" -> NONE;
                case "5m" -> FIVE_MINUTES;
                case "1h" -> ONE_HOUR;
                default -> throw new IllegalStateException(key + " is none, 5m or 1h, not " + value);
            };
        }
    }
}
