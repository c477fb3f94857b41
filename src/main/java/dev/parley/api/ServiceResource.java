package dev.parley.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.logging.Log;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

import dev.parley.anthropic.AnthropicConfig;
import dev.parley.anthropic.MessagesClient;

/**
 * {@code GET /v1/service}: what a client needs to know about this service, so the chat page can say plainly when its
 * replies come from a simulator rather than from Claude.
 */
@Path("/v1/service")
@Tag(name = "service")
public class ServiceResource {

    static final String SIMULATOR = "simulator";
    static final String ANTHROPIC = "anthropic";
    static final String UNKNOWN = "unknown";

    private final MessagesClient upstream;
    private final String version;
    /**
     * What the upstream is, once known: the embedded simulator from the configuration; any other upstream from its
     * own answer, which cannot change while parley runs. {@code null} until then.
     */
    private volatile ServiceView known;

    ServiceResource(AnthropicConfig anthropic, MessagesClient upstream,
            @ConfigProperty(name = "quarkus.application.version", defaultValue = "unknown") String version) {
        this.upstream = upstream;
        this.version = version;
        this.known = AnthropicConfig.EMBEDDED.equals(anthropic.baseUrl()) ? new ServiceView(SIMULATOR, version) : null;
    }

    /** {@code upstream} is {@code simulator}, {@code anthropic} or {@code unknown}; {@code version} is parley's own. */
    @RegisterForReflection
    public record ServiceView(String upstream, String version) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Describe this service", description = "Whether the upstream is a simulator (`simulator`: "
            + "parley's embedded one, or an upstream whose responses carry the `parley-simulator` header), the "
            + "Anthropic API (`anthropic`: it answered without that header) or not known yet (`unknown`: it could "
            + "not be asked; asked again next time), and parley's version.")
    @APIResponse(responseCode = "200", description = "The service")
    @APIResponse(responseCode = "401", ref = ApiDocumentation.UNAUTHORIZED)
    @APIResponse(responseCode = "500", ref = ApiDocumentation.INTERNAL)
    public Uni<ServiceView> describe() {
        ServiceView view = known;
        if (view != null) {
            return Uni.createFrom().item(view);
        }
        // Until an answer came, every ask asks the upstream (two at once both do, and hear the same).
        return upstream.upstreamIsSimulator()
                .map(simulator -> known = new ServiceView(simulator ? SIMULATOR : ANTHROPIC, version))
                .onFailure().recoverWithItem(failure -> {
                    Log.debugf("the upstream could not say what it is: %s", failure.getMessage());
                    return new ServiceView(UNKNOWN, version);
                });
    }
}
