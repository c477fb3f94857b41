package dev.parley.chat;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.parley.anthropic.AnthropicConfig;
import dev.parley.chat.AssistantsConfig.CacheTtl;
import dev.parley.tool.ToolRegistry;
import dev.parley.tool.ToolSpec;
import dev.parley.usage.Pricing;

/** The configured assistant profiles, checked once at start-up. */
@ApplicationScoped
public class AssistantProfiles {

    public static final String DEFAULT = "default";

    private final Map<String, AssistantProfile> profiles = new TreeMap<>();
    private final ToolRegistry tools;

    AssistantProfiles(AssistantsConfig config, ToolRegistry tools, AnthropicConfig anthropic, Pricing pricing) {
        this.tools = tools;
        config.profiles().forEach((name, profile) -> {
            ProfileThinking.checkSampling(name, profile, anthropic.version());
            if (profile.maxTokens() < 1) {
                throw new IllegalStateException("parley.assistants." + name + ".max-tokens must be at least 1");
            }
            List<String> toolNames = profile.tools().orElse(List.of());
            for (String tool : toolNames) {
                if (!tools.names().contains(tool)) {
                    throw new IllegalStateException("parley.assistants." + name + ".tools names '" + tool
                            + "', which is not a tool; the tools are " + tools.names());
                }
            }
            List<String> servers = profile.mcpServers().orElse(List.of());
            for (String server : servers) {
                if (!tools.mcpServers().contains(server)) {
                    throw new IllegalStateException("parley.assistants." + name + ".mcp-servers names '" + server
                            + "', which is not configured; the MCP servers are " + tools.mcpServers()
                            + " (parley.mcp.servers.<name>.url)");
                }
            }
            String key = "parley.assistants." + name + ".";
            profiles.put(name, new AssistantProfile(name, profile.description().orElse(""), profile.model(),
                    profile.systemPrompt(), profile.maxTokens(), profile.temperature(),
                    CacheTtl.of(key + "cache-system-prompt", profile.cacheSystemPrompt()), toolNames,
                    ProfileThinking.thinking(name, profile), ProfileThinking.effort(name, profile),
                    profile.showThinking(), ProfileThinking.fallbacks(name, profile),
                    CacheTtl.of(key + "cache-tools", profile.cacheTools()),
                    AssistantProfile.ConversationCache.of(key + "cache-conversation", profile.cacheConversation()),
                    ProfileFallbacks.models(name, profile, pricing), ProfileFallbacks.atOnceOnOverload(name, profile),
                    servers));
        });
        if (!profiles.containsKey(DEFAULT)) {
            throw new IllegalStateException(
                    "parley.assistants.default is not configured: a default profile is required");
        }
    }

    public Optional<AssistantProfile> find(String name) {
        return Optional.ofNullable(profiles.get(name));
    }

    /**
     * The tools a turn of the profile offers now: its tools of CDI beans, then what its MCP servers list at this
     * moment. Asked for every turn, so a server's changed list reaches the next turn.
     */
    public List<ToolSpec> offeredTools(AssistantProfile profile) {
        return tools.offered(profile.tools(), profile.mcpServers());
    }

    /** All profiles, {@code default} first, then by name. */
    public List<AssistantProfile> all() {
        return profiles.values().stream()
                .sorted(Comparator.comparing((AssistantProfile p) -> !p.name().equals(DEFAULT))
                        .thenComparing(AssistantProfile::name))
                .toList();
    }
}
