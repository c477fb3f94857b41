package dev.parley.anthropic;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.smallrye.mutiny.Uni;

/**
 * The raw Messages API's one-shot calls, a message and a token count (streamed calls are {@link StreamingCalls}). No logic here: headers, timeouts
 * and error typing belong to {@link MessagesClient}.
 * Built programmatically by it, because the base URL may be this process's own simulator on a port known only once
 * the server runs.
 */
@Path("/v1/messages")
interface MessagesApi {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<RestResponse<Message>> create(@HeaderParam("x-api-key") String apiKey,
            @HeaderParam("anthropic-version") String version,
            @HeaderParam("anthropic-beta") String beta, MessageRequest request);

    @POST
    @Path("/count_tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<TokenCount> countTokens(@HeaderParam("x-api-key") String apiKey,
            @HeaderParam("anthropic-version") String version, @HeaderParam("anthropic-beta") String beta,
            TokenCountRequest request);

    @ClientExceptionMapper
    static AnthropicException toException(Response response) {
        return UpstreamErrors.fromResponse(response);
    }
}
