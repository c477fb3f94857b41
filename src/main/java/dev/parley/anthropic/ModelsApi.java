package dev.parley.anthropic;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.smallrye.mutiny.Uni;

/**
 * The raw Models API's list, asked only for what its response says about the upstream (its headers), so the whole
 * response is returned. No logic here: headers, timeouts and error typing belong to {@link MessagesClient}.
 */
@Path("/v1/models")
interface ModelsApi {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> list(@HeaderParam("x-api-key") String apiKey, @HeaderParam("anthropic-version") String version,
            @QueryParam("limit") int limit);

    @ClientExceptionMapper
    static AnthropicException toException(Response response) {
        return UpstreamErrors.fromResponse(response);
    }
}
