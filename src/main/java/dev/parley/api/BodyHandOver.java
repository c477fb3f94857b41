package dev.parley.api;

import jakarta.ws.rs.container.ContainerRequestContext;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.netty.buffer.ByteBufInputStream;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * Gives RESTEasy the body {@link RequestBodyGuard} has already read, as the entity stream: the request itself has
 * ended, so there is nothing left to read from it. A filter of its own, without configuration, because RESTEasy
 * creates its filters before the runtime configuration exists.
 */
public class BodyHandOver {

    @ServerRequestFilter
    public void handOver(ContainerRequestContext request, RoutingContext context) {
        Buffer body = context.remove(RequestBodyGuard.BODY);
        if (body != null) {
            request.setEntityStream(new ByteBufInputStream(body.getByteBuf()));
        }
    }
}
