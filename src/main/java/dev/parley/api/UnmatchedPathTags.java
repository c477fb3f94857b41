package dev.parley.api;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.quarkus.micrometer.runtime.HttpServerMetricsTagsContributor;
import io.vertx.core.Vertx;

/**
 * Keeps {@code http_server_requests}' {@code uri} tag to a closed set: a route's template, or {@code NOT_FOUND}
 * (404) and {@code UNKNOWN} (any other failure, or a request the client abandoned) for a request no route matched.
 * Quarkus tags a failed request that matched no route with its raw path (a malformed {@code /v1/conversations/%ZZ1}
 * is a 400, not a 404), and an abandoned one always, so each junk path was a series of its own until Micrometer's
 * cap of 100 {@code uri} values, past which even {@code /v1/chat} was no longer recorded.
 */
@Singleton
public class UnmatchedPathTags implements HttpServerMetricsTagsContributor {

    /** Where RESTEasy puts the template of the resource method it matched. */
    private static final String REST_TEMPLATE = "UrlPathTemplate";
    /** Where Quarkus puts the path of the last Vert.x route that handled the request (the simulator's). */
    private static final String VERTX_ROUTE = "VertxRoute";
    /**
     * The template of a request to parley's API until RESTEasy matches it ({@link #markUnmatched}), so that even an
     * abandoned request (one Quarkus records as {@code RESET}, with no say for this contributor) has no raw path.
     * Quarkus writes it with a leading slash.
     */
    private static final String UNMATCHED = "UNMATCHED";
    private static final String UNMATCHED_URI = "/" + UNMATCHED;
    private static final String REQUESTS = "http.server.requests";

    /** Called on the request's context before any route handles it; RESTEasy replaces it when it matches. */
    static void markUnmatched() {
        io.vertx.core.Context context = Vertx.currentContext();
        if (context != null) {
            context.putLocal(REST_TEMPLATE, UNMATCHED);
        }
    }

    @Override
    public Tags contribute(Context context) {
        int status = context.response().statusCode();
        Object template = context.requestContextLocalData(REST_TEMPLATE);
        if (status < 400 || (template != null && !UNMATCHED.equals(template))
                || isExactRoute(context.requestContextLocalData(VERTX_ROUTE))) {
            return Tags.empty();
        }
        return Tags.of("uri", unmatched(status == 404));
    }

    /** The placeholder of a request that matched nothing, wherever it is still left. */
    @Produces
    @Singleton
    MeterFilter unmatchedUris() {
        return new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (!REQUESTS.equals(id.getName()) || !UNMATCHED_URI.equals(id.getTag("uri"))) {
                    return id;
                }
                Tags tags = Tags.of(Tag.of("uri", unmatched("404".equals(id.getTag("status")))));
                return id.replaceTags(Tags.of(id.getTagsAsIterable()).and(tags));
            }
        };
    }

    private static String unmatched(boolean notFound) {
        return notFound ? "NOT_FOUND" : "UNKNOWN";
    }

    /** A route with a path of its own, not a catch-all whose requests may have any path. */
    private static boolean isExactRoute(Object route) {
        return route instanceof String path && !path.contains("*");
    }
}
