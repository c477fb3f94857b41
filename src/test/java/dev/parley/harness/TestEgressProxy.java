package dev.parley.harness;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;

/**
 * An HTTP egress proxy on a free port, like a cluster's: it tunnels {@code CONNECT host:port} (TLS targets), forwards
 * requests with an absolute URI (plain HTTP targets), and asks for {@code Basic} credentials. What it was asked is
 * kept, and a test reads and steers it over plain requests to the proxy itself (origin-form URIs), so the test needs
 * no object of it, whatever class loader it runs in:
 * <ul>
 * <li>{@code GET /seen}: one line per proxied request, {@code CONNECT localhost:1234} or
 * {@code POST http://localhost:1234/...}, each followed by {@code  auth=ok} or {@code  auth=refused};
 * {@code DELETE /seen} forgets them, and what the two below changed</li>
 * <li>{@code GET /tunnels}: the local port of every tunnel's connection to its target, one a line, so a test can
 * tell which connections a server received came through the proxy; never forgotten</li>
 * <li>{@code POST /answer/403}: refuse every proxied request with that status; {@code POST /answer/tunnel} tunnels
 * again</li>
 * <li>{@code POST /require/<user>/<password>}: ask for other credentials (so the configured ones get a 407)</li>
 * </ul>
 */
public final class TestEgressProxy {

    private static final Set<String> HOP_BY_HOP = Set.of("proxy-authorization", "proxy-connection", "connection",
            "keep-alive", "transfer-encoding", "te", "trailer", "upgrade");

    private final NetClient tunnels;
    private final HttpClient forwards;
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<Integer> tunnelPorts = new CopyOnWriteArrayList<>();
    private final String defaultAuthorization;
    private volatile String requiredAuthorization;
    private volatile int answer;
    private HttpServer server;

    private TestEgressProxy(Vertx vertx, String username, String password) {
        this.tunnels = vertx.createNetClient();
        this.forwards = vertx.createHttpClient();
        this.defaultAuthorization = basic(username, password);
        this.requiredAuthorization = defaultAuthorization;
    }

    /** A proxy asking for {@code username} and {@code password}, listening on a free port of localhost. */
    public static TestEgressProxy start(Vertx vertx, String username, String password) {
        TestEgressProxy proxy = new TestEgressProxy(vertx, username, password);
        proxy.server = vertx.createHttpServer().requestHandler(proxy::handle).listen(0, "localhost")
                .toCompletionStage().toCompletableFuture().join();
        return proxy;
    }

    public int port() {
        return server.actualPort();
    }

    public static String basic(String username, String password) {
        return "Basic " + Base64.getEncoder()
                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private void handle(HttpServerRequest request) {
        if (request.method() == HttpMethod.CONNECT) {
            proxied(request, "CONNECT " + request.uri(), () -> tunnel(request));
        } else if (request.uri().startsWith("http://")) {
            proxied(request, request.method() + " " + request.uri(), () -> forward(request));
        } else {
            administer(request);
        }
    }

    private void proxied(HttpServerRequest request, String line, Runnable pass) {
        boolean authorized = requiredAuthorization.equals(request.getHeader("Proxy-Authorization"));
        seen.add(line + (authorized ? " auth=ok" : " auth=refused"));
        if (!authorized) {
            request.response().setStatusCode(407).putHeader("Proxy-Authenticate", "Basic realm=\"test\"")
                    .end("proxy credentials required");
        } else if (answer > 0) {
            request.response().setStatusCode(answer).end("refused by the proxy's policy");
        } else {
            pass.run();
        }
    }

    private void tunnel(HttpServerRequest request) {
        String target = request.uri();
        int colon = target.lastIndexOf(':');
        request.pause();
        tunnels.connect(Integer.parseInt(target.substring(colon + 1)), target.substring(0, colon))
                .onFailure(failure -> request.response().setStatusCode(502).end())
                .onSuccess(upstream -> request.toNetSocket().onSuccess(client -> {
                    tunnelPorts.add(upstream.localAddress().port());
                    client.pipeTo(upstream);
                    upstream.pipeTo(client);
                }).onFailure(failure -> upstream.close()));
    }

    private void forward(HttpServerRequest request) {
        HttpRelay.relay(request, forwards, new RequestOptions().setAbsoluteURI(request.uri()), HOP_BY_HOP);
    }

    private void administer(HttpServerRequest request) {
        String path = request.path();
        if (path.equals("/seen") && request.method() == HttpMethod.GET) {
            request.response().end(String.join("\n", seen));
        } else if (path.equals("/tunnels")) {
            request.response().end(String.join("\n", tunnelPorts.stream().map(String::valueOf).toList()));
        } else if (path.equals("/seen") && request.method() == HttpMethod.DELETE) {
            seen.clear();
            answer = 0;
            requiredAuthorization = defaultAuthorization;
            request.response().setStatusCode(204).end();
        } else if (path.startsWith("/answer/")) {
            String status = path.substring("/answer/".length());
            answer = status.equals("tunnel") ? 0 : Integer.parseInt(status);
            request.response().setStatusCode(204).end();
        } else if (path.startsWith("/require/")) {
            String[] credentials = path.substring("/require/".length()).split("/", 2);
            requiredAuthorization = basic(credentials[0], credentials[1]);
            request.response().setStatusCode(204).end();
        } else {
            request.response().setStatusCode(404).end();
        }
    }

    public Future<Void> close() {
        return server.close().eventually(() -> tunnels.close()).eventually(() -> forwards.close());
    }
}
