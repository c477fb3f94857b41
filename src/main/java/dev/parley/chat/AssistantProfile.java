package dev.parley.chat;

import java.util.List;
import java.util.Optional;

import dev.parley.anthropic.ThinkingConfig;
import dev.parley.chat.AssistantsConfig.CacheTtl;

/**
 * An assistant profile as the rest of the service sees it, checked against what its model accepts.
 *
 * @param tools the tools of CDI beans it offers, by name
 * @param mcpServers the MCP servers whose tools it offers, whatever they list at the time of a turn
 * @param thinking what the requests send as {@code thinking}, if anything
 * @param effort what they send as {@code output_config.effort}, if anything
 * @param showThinking whether clients are sent the thinking
 * @param fallbacks the server-side fallback's models ({@code default} alone: the API picks); empty for none
 * @param cacheTools the breakpoint on the tool definitions
 * @param cacheConversation the breakpoint on the conversation
 * @param fallbackModels parley's own fallback, in order: where a round goes when its model fails it
 * @param fallBackAtOnceOnOverload whether an overloaded model hands its round on without retrying it first
 */
public record AssistantProfile(String name, String description, String model, String systemPrompt, int maxTokens,
        Optional<Double> temperature, CacheTtl cacheSystemPrompt, List<String> tools, Optional<ThinkingConfig> thinking,
        Optional<String> effort, boolean showThinking, List<String> fallbacks, CacheTtl cacheTools,
        ConversationCache cacheConversation, List<FallbackModel> fallbackModels, boolean fallBackAtOnceOnOverload,
        List<String> mcpServers) {

    public AssistantProfile {
        tools = List.copyOf(tools);
        mcpServers = List.copyOf(mcpServers);
        fallbacks = List.copyOf(fallbacks);
        fallbackModels = List.copyOf(fallbackModels);
    }

    /**
     * A model of parley's own fallback and what a request to it sends as {@code thinking} and
     * {@code output_config.effort}: the profile's settings, checked against this model at start-up.
     */
    public record FallbackModel(String model, Optional<ThinkingConfig> thinking, Optional<String> effort) {
    }

    /** How the conversation part of the prompt is cached. */
    public enum ConversationCache {
        NONE,
        /** A breakpoint on the last message of each request, with this lifetime. */
        FIVE_MINUTES,
        ONE_HOUR,
        /** The API's top-level {@code cache_control}: it places the breakpoint itself. */
        AUTOMATIC;

        static ConversationCache of(String key, String value) {
            return switch (value.trim()) {
                case "none" -> NONE;
                case "5m" -> FIVE_MINUTES;
                case "1h" -> ONE_HOUR;
                case "automatic" -> AUTOMATIC;
                default -> throw new IllegalStateException(key + " is none, 5m, 1h or automatic, not " + value);
            };
        }
    }

    /** The dearest cache write any request of the profile can make, for a budget's worst case. */
    CacheTtl dearestCacheWrite() {
        boolean hour = cacheSystemPrompt == CacheTtl.ONE_HOUR || cacheTools == CacheTtl.ONE_HOUR
                || cacheConversation == ConversationCache.ONE_HOUR;
        boolean any = cacheSystemPrompt != CacheTtl.NONE || cacheTools != CacheTtl.NONE
                || cacheConversation != ConversationCache.NONE;
        return hour ? CacheTtl.ONE_HOUR : any ? CacheTtl.FIVE_MINUTES : CacheTtl.NONE;
    }
}
