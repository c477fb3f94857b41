package dev.parley.api;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.parley.chat.AssistantProfiles;
import dev.parley.tool.ToolSpec;

/** {@code GET /v1/assistants}: the assistant profiles a client may choose from. */
@Path("/v1/assistants")
@Tag(name = "assistants")
public class AssistantResource {

    private final AssistantProfiles profiles;

    AssistantResource(AssistantProfiles profiles) {
        this.profiles = profiles;
    }

    /**
     * One profile as clients see it (the system prompt stays on the server); {@code tools} are those it offers now,
     * its MCP servers' current tools included ({@code <server>__<tool>}).
     */
    @RegisterForReflection
    public record AssistantView(String name, String description, String model, int maxTokens, List<String> tools) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "List the assistant profiles", description = "Name, description, model, reply cap and "
            + "tools of each profile a chat request may name in `assistant`; system prompts stay on the server.")
    @APIResponse(responseCode = "200", description = "The profiles")
    @APIResponse(responseCode = "401", ref = ApiDocumentation.UNAUTHORIZED)
    @APIResponse(responseCode = "500", ref = ApiDocumentation.INTERNAL)
    public List<AssistantView> list() {
        return profiles.all().stream()
                .map(profile -> new AssistantView(profile.name(), profile.description(), profile.model(),
                        profile.maxTokens(), profiles.offeredTools(profile).stream().map(ToolSpec::name).toList()))
                .toList();
    }
}
