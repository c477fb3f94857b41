package dev.parley.frontdoor;

import java.util.List;
import java.util.Optional;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import dev.parley.anthropic.ForwardedHeaders;
import dev.parley.api.CallerAuthentication;
import dev.parley.api.RequestIds;

/**
 * The Anthropic-compatible front door: the Messages and Models APIs under {@code /anthropic}, so that an official SDK
 * or an {@code ANTHROPIC_BASE_URL} tool works against parley by changing its base URL and its key (parley's caller
 * key). The caller is parley's ({@link CallerAuthentication}, before this runs); the upstream key is parley's own.
 * {@code ?beta=true}, which the SDKs add to their beta namespace's calls, is accepted and ignored, as by the API. No
 * {@code @Consumes} or {@code @Produces}: bodies are bytes both ways, and what is not JSON is the front door's to
 * refuse in the API's own words.
 */
@Path("/anthropic/v1")
public class FrontDoorResource {

    private final FrontDoor door;

    FrontDoorResource(FrontDoor door) {
        this.door = door;
    }

    @POST
    @Path("/messages")
    public Multi<String> message(byte[] body, @Context HttpHeaders headers, RoutingContext context) {
        return door.message(RequestIds.of(context), CallerAuthentication.callerOf(context), bytes(body),
                forwarded(headers), context.response());
    }

    @POST
    @Path("/messages/count_tokens")
    public Uni<Response> countTokens(byte[] body, @Context HttpHeaders headers, RoutingContext context) {
        return door.countTokens(RequestIds.of(context), CallerAuthentication.callerOf(context), bytes(body),
                forwarded(headers));
    }

    @GET
    @Path("/models")
    public Uni<Response> models(@QueryParam("limit") Integer limit, @QueryParam("after_id") String afterId,
            @QueryParam("before_id") String beforeId, @Context HttpHeaders headers, RoutingContext context) {
        return door.models(RequestIds.of(context), CallerAuthentication.callerOf(context), forwarded(headers),
                Optional.ofNullable(limit), Optional.ofNullable(afterId), Optional.ofNullable(beforeId));
    }

    @GET
    @Path("/models/{id}")
    public Uni<Response> model(@PathParam("id") String id, @Context HttpHeaders headers, RoutingContext context) {
        return door.model(RequestIds.of(context), CallerAuthentication.callerOf(context), id, forwarded(headers));
    }

    /** The client's {@code anthropic-version} and {@code anthropic-beta} (several headers joined, as one list). */
    private static ForwardedHeaders forwarded(HttpHeaders headers) {
        return new ForwardedHeaders(first(headers.getRequestHeader("anthropic-version")),
                joined(headers.getRequestHeader("anthropic-beta")));
    }

    private static Optional<String> first(List<String> values) {
        return values == null
                ? Optional.empty()
                : values.stream().map(String::strip).filter(value -> !value.isEmpty()).findFirst();
    }

    private static Optional<String> joined(List<String> values) {
        if (values == null) {
            return Optional.empty();
        }
        String joined = String.join(",", values.stream().map(String::strip).filter(value -> !value.isEmpty())
                .toList());
        return joined.isEmpty() ? Optional.empty() : Optional.of(joined);
    }

    private static byte[] bytes(byte[] body) {
        return body == null ? new byte[0] : body;
    }
}
