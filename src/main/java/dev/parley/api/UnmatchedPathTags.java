package dev.parley.api;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Tags;
import io.quarkus.micrometer.runtime.HttpServerMetricsTagsContributor;

/**
 * Keeps {@code http_server_requests}' {@code uri} tag to a closed set: a route's template, or {@code NOT_FOUND}
 * (404) and {@code UNKNOWN} (any other failure) for a request no route matched. Quarkus tags a failed request that
 * matched no route with its raw path (a malformed {@code /v1/conversations/%ZZ1} is a 400, not a 404), so each junk
 * path was a series of its own until Micrometer's cap of 100 {@code uri} values, past which even {@code /v1/chat}
 * was no longer recorded.
 */
@Singleton
public class UnmatchedPathTags implements HttpServerMetricsTagsContributor {

    /** Where RESTEasy puts the template of the resource method it matched. */
    private static final String REST_TEMPLATE = "UrlPathTemplate";
    /** Where Quarkus puts the path of the last Vert.x route that handled the request (the simulator's). */
    private static final String VERTX_ROUTE = "VertxRoute";

    @Override
    public Tags contribute(Context context) {
        int status = context.response().statusCode();
        if (status < 400 || context.requestContextLocalData(REST_TEMPLATE) != null
                || isExactRoute(context.requestContextLocalData(VERTX_ROUTE))) {
            return Tags.empty();
        }
        return Tags.of("uri", status == 404 ? "NOT_FOUND" : "UNKNOWN");
    }

    /** A route with a path of its own, not a catch-all whose requests may have any path. */
    private static boolean isExactRoute(Object route) {
        return route instanceof String path && !path.contains("*");
    }
}
