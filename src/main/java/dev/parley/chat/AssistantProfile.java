package dev.parley.chat;

import java.util.List;
import java.util.Optional;

/** An assistant profile as the rest of the service sees it. */
public record AssistantProfile(String name, String description, String model, String systemPrompt, int maxTokens,
        Optional<Double> temperature, AssistantsConfig.SystemPromptCache cacheSystemPrompt, List<String> tools) {

    public AssistantProfile {
        tools = List.copyOf(tools);
    }
}
