package dev.parley.api;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Lets {@code Accept: text/event-stream} reach the chat stream. The stream method declares no {@code @Produces} (see
 * {@link SseEncoder} for why it frames SSE itself), so JAX-RS matching would answer 406 to SSE clients. Remove this
 * together with that workaround once Quarkus defers SSE headers to the first event.
 */
public class StreamAcceptFilter {

    static final String STREAM_PATH = "/v1/chat/stream";

    @ServerRequestFilter(preMatching = true)
    public void acceptEventStream(ContainerRequestContext request) {
        String accept = request.getHeaderString(HttpHeaders.ACCEPT);
        if (accept != null && accept.contains(SseEncoder.MEDIA_TYPE)
                && STREAM_PATH.equals(request.getUriInfo().getPath())) {
            request.getHeaders().putSingle(HttpHeaders.ACCEPT, "*/*");
        }
    }
}
