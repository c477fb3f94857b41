package dev.parley.anthropic;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestResponse;

import io.quarkus.rest.client.reactive.ClientExceptionMapper;
import io.smallrye.mutiny.Uni;

/**
 * The raw Messages and Models APIs for the front door: bodies as bytes both ways, so that what a client sent reaches
 * the upstream as it was written, and what the upstream answered reaches the client the same way. No logic here:
 * headers, timeouts, protection and error typing belong to {@link PassThroughClient}.
 */
@Path("/v1")
interface PassThroughApi {

    @POST
    @Path("/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<RestResponse<byte[]>> message(@HeaderParam("x-api-key") String apiKey,
            @HeaderParam("anthropic-version") String version, @HeaderParam("anthropic-beta") String beta,
            byte[] body);

    @POST
    @Path("/messages/count_tokens")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Uni<RestResponse<byte[]>> countTokens(@HeaderParam("x-api-key") String apiKey,
            @HeaderParam("anthropic-version") String version, @HeaderParam("anthropic-beta") String beta,
            byte[] body);

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<RestResponse<byte[]>> models(@HeaderParam("x-api-key") String apiKey,
            @HeaderParam("anthropic-version") String version, @HeaderParam("anthropic-beta") String beta,
            @QueryParam("limit") Integer limit, @QueryParam("after_id") String afterId,
            @QueryParam("before_id") String beforeId);

    @GET
    @Path("/models/{id}")
    @Produces(MediaType.APPLICATION_JSON)
    Uni<RestResponse<byte[]>> model(@HeaderParam("x-api-key") String apiKey,
            @HeaderParam("anthropic-version") String version, @HeaderParam("anthropic-beta") String beta,
            @PathParam("id") String id);

    @ClientExceptionMapper
    static AnthropicException toException(Response response) {
        return UpstreamErrors.fromResponse(response);
    }
}
