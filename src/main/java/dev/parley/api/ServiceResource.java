package dev.parley.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.parley.anthropic.AnthropicConfig;

/**
 * {@code GET /v1/service}: what a client needs to know about this service, so the chat page can say plainly when its
 * replies come from the simulator rather than from Claude.
 */
@Path("/v1/service")
@Tag(name = "service")
public class ServiceResource {

    static final String SIMULATOR = "simulator";
    static final String ANTHROPIC = "anthropic";

    private final ServiceView view;

    ServiceResource(AnthropicConfig anthropic,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        // Only the embedded simulator is recognised: a simulator in another process looks like any compatible
        // upstream, and telling them apart would take a request to it.
        this.view = new ServiceView(
                AnthropicConfig.EMBEDDED.equals(anthropic.baseUrl()) ? SIMULATOR : ANTHROPIC, version);
    }

    /** {@code upstream} is {@code simulator} or {@code anthropic}; {@code version} is parley's own. */
    @RegisterForReflection
    public record ServiceView(String upstream, String version) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Describe this service", description = "Whether the upstream is parley's own simulator "
            + "(`simulator`) or the Anthropic API (`anthropic`), and parley's version.")
    @APIResponse(responseCode = "200", description = "The service")
    @APIResponse(responseCode = "401", ref = ApiDocumentation.UNAUTHORIZED)
    @APIResponse(responseCode = "500", ref = ApiDocumentation.INTERNAL)
    public ServiceView describe() {
        return view;
    }
}
