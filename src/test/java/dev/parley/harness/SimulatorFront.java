package dev.parley.harness;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.vertx.core.CompositeFuture;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PfxOptions;

/**
 * A remote upstream for a {@code @QuarkusTest}: the test application's own simulator, fronted on two free ports of
 * its own, one speaking TLS with a certificate of {@link TestPki} and one plain HTTP. Each request is relayed as it
 * comes (streams stay streams) to the application's port, which a test tells it once the application listens
 * ({@code POST /front/target/<port>}): the front starts before the application, whose port is random. {@code GET /front/seen} (on
 * either port) lists what it relayed, one line each: {@code POST /simulator/v1/messages from=54321}, the port the
 * request's connection came from (compare {@link TestEgressProxy}'s tunnels); {@code DELETE /front/seen} forgets.
 */
public final class SimulatorFront {

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "transfer-encoding", "te",
            "trailer", "upgrade", "host");

    private final HttpClient application;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private volatile int target;
    private HttpServer tls;
    private HttpServer plain;

    private SimulatorFront(Vertx vertx) {
        this.application = vertx.createHttpClient();
    }

    public static SimulatorFront start(Vertx vertx, TestPki pki) {
        SimulatorFront front = new SimulatorFront(vertx);
        front.tls = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                .setKeyCertOptions(new PfxOptions().setPath(pki.serverKeyStore().toString())
                        .setPassword(TestPki.PASSWORD)))
                .requestHandler(front::relay);
        front.plain = vertx.createHttpServer().requestHandler(front::relay);
        Future.all(front.tls.listen(0, "localhost"), front.plain.listen(0, "localhost")).toCompletionStage()
                .toCompletableFuture().join();
        return front;
    }

    public int tlsPort() {
        return tls.actualPort();
    }

    public int plainPort() {
        return plain.actualPort();
    }

    private void relay(HttpServerRequest request) {
        if (request.path().startsWith("/front/target/")) {
            target = Integer.parseInt(request.path().substring("/front/target/".length()));
            request.response().setStatusCode(204).end();
            return;
        }
        if (request.path().equals("/front/seen")) {
            if (request.method() == HttpMethod.DELETE) {
                seen.clear();
                request.response().setStatusCode(204).end();
            } else {
                request.response().end(String.join("\n", seen));
            }
            return;
        }
        seen.add(request.method() + " " + request.path() + " from=" + request.remoteAddress().port());
        int port = target;
        if (port == 0) {
            request.response().setStatusCode(503).end("the application does not listen yet");
            return;
        }
        HttpRelay.relay(request, application,
                new RequestOptions().setHost("localhost").setPort(port).setURI(request.uri()), HOP_BY_HOP);
    }

    public Future<CompositeFuture> close() {
        return Future.all(tls.close(), plain.close(), application.close());
    }
}
