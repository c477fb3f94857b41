package dev.parley.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Lets the clients of the two responses parley writes itself reach them whatever they accept. The chat stream's
 * method declares no {@code @Produces} (see {@link SseEncoder} for why parley frames SSE itself), so JAX-RS matching
 * would answer 406 to {@code Accept: text/event-stream}; the front door's messages are a stream or JSON as the
 * request's body says ({@code "stream"}), as in the Messages API, which ignores {@code Accept}, and the official SDKs
 * send either. A resume ({@code GET /v1/chat/turns/{turnId}/stream}) is written by parley too. Remove this together with that workaround once Quarkus defers SSE headers to the first event.
 */
public class StreamAcceptFilter {

    static final String STREAM_PATH = "/v1/chat/stream";
    private static final String TURNS_PATH = "/v1/chat/turns/";
    private static final String RESUME_SUFFIX = "/stream";
    private static final String FRONT_DOOR_MESSAGES = "/anthropic/v1/messages";

    /** {@code /v1/chat/turns/{turnId}/stream}, which is written by {@link TurnResumeWriter}. */
    private static boolean isResume(String path) {
        return path.startsWith(TURNS_PATH) && path.endsWith(RESUME_SUFFIX);
    }

    @ServerRequestFilter(preMatching = true)
    public void acceptEventStream(ContainerRequestContext request) {
        String accept = request.getHeaderString(HttpHeaders.ACCEPT);
        String path = request.getUriInfo().getPath();
        if (accept != null && (FRONT_DOOR_MESSAGES.equals(path)
                || accept.contains(SseEncoder.MEDIA_TYPE) && (STREAM_PATH.equals(path) || isResume(path)))) {
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, "*/*");
        }
    }
}
