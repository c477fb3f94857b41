package dev.parley.harness;

import java.util.Set;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;

/**
 * Relays one request the test servers received (the TLS front of the simulator, the egress proxy's forwarding) to
 * where {@code options} point and its response back, streaming both ways, without the headers that describe one hop
 * of a connection rather than the message. A failed relay is a 502.
 */
final class HttpRelay {

    private HttpRelay() {
    }

    /** {@code options}: where the request goes; its method, headers and body are the received request's. */
    static void relay(HttpServerRequest request, HttpClient client, RequestOptions options, Set<String> hopByHop) {
        request.pause();
        MultiMap headers = MultiMap.caseInsensitiveMultiMap();
        request.headers().forEach(header -> {
            if (!hopByHop.contains(header.getKey().toLowerCase())) {
                headers.add(header.getKey(), header.getValue());
            }
        });
        client.request(options.setMethod(request.method()).setHeaders(headers))
                .compose(outgoing -> outgoing.send(request))
                .onFailure(failure -> request.response().setStatusCode(502).end())
                .onSuccess(response -> {
                    request.response().setStatusCode(response.statusCode());
                    response.headers().forEach(header -> {
                        if (!hopByHop.contains(header.getKey().toLowerCase())) {
                            request.response().putHeader(header.getKey(), header.getValue());
                        }
                    });
                    request.response().send(response);
                });
    }
}
