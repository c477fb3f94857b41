package dev.parley.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An upstream on a port of its own, started before the application so a test profile can name it as
 * {@code parley.anthropic.base-url}, that a test switches between three modes: {@link Mode#SIMULATOR} (every request
 * forwarded to this application's own simulator over HTTP: a simulator in another process, as parley sees it),
 * {@link Mode#ANTHROPIC} (the Models API answered as the real API answers it, with none of the simulator's headers)
 * and {@link Mode#DOWN} (503 {@code overloaded_error}). One per JVM; its port, mode, forwarding target and the requests
 * it saw live in system properties, which the test and the application share whatever their class loaders.
 */
public final class StandInUpstream {

    public enum Mode {
        SIMULATOR,
        ANTHROPIC,
        DOWN
    }

    private static final String PREFIX = "parley.test.stand-in-upstream.";
    /** Not forwarded: the JDK client sets them itself, or refuses them. */
    private static final Set<String> HOP_HEADERS = Set.of("host", "connection", "content-length", "transfer-encoding",
            "upgrade", "expect");
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    private StandInUpstream() {
    }

    /** Its base URL, started (in mode {@code initial}) unless it runs already. */
    public static synchronized String baseUrl(Mode initial) {
        if (System.getProperty(PREFIX + "port") == null) {
            try {
                HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
                server.createContext("/", StandInUpstream::handle);
                server.start();
                System.setProperty(PREFIX + "port", Integer.toString(server.getAddress().getPort()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        set(initial);
        return "http://127.0.0.1:" + System.getProperty(PREFIX + "port");
    }

    public static void set(Mode mode) {
        System.setProperty(PREFIX + "mode", mode.name());
    }

    /** Where {@link Mode#SIMULATOR} forwards to: this application's simulator, e.g. {@code http://localhost:1234/simulator}. */
    public static void forwardTo(URI simulator) {
        System.setProperty(PREFIX + "target", simulator.toString().replaceAll("/+$", ""));
    }

    /** The requests seen since the last call, each as method, path and query, and its {@code x-api-key} header. */
    public static synchronized List<String> takeRequests() {
        String seen = System.getProperty(PREFIX + "requests", "");
        System.clearProperty(PREFIX + "requests");
        return seen.isEmpty() ? List.of() : List.of(seen.split("\n"));
    }

    private static void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            record(exchange);
            switch (Mode.valueOf(System.getProperty(PREFIX + "mode"))) {
                case SIMULATOR -> forward(exchange);
                case ANTHROPIC -> answer(exchange, 200, """
                        {"data":[{"type":"model","id":"claude-sonnet-4-6","display_name":"Claude Sonnet 4.6",\
                        "created_at":"2026-02-17T00:00:00Z"}],"has_more":true,\
                        "first_id":"claude-sonnet-4-6","last_id":"claude-sonnet-4-6"}""");
                case DOWN -> answer(exchange, 503, """
                        {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""");
            }
        }
    }

    private static synchronized void record(HttpExchange exchange) {
        String seen = System.getProperty(PREFIX + "requests", "");
        String line = exchange.getRequestMethod() + " " + exchange.getRequestURI() + " x-api-key="
                + exchange.getRequestHeaders().getFirst("x-api-key") + " anthropic-version="
                + exchange.getRequestHeaders().getFirst("anthropic-version");
        System.setProperty(PREFIX + "requests", seen.isEmpty() ? line : seen + "\n" + line);
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("content-type", "application/json");
        exchange.getResponseHeaders().add("request-id", "req_011CStandInUpstream0000");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void forward(HttpExchange exchange) throws IOException {
        byte[] requestBody;
        try (InputStream in = exchange.getRequestBody()) {
            requestBody = in.readAllBytes();
        }
        HttpRequest.Builder request = HttpRequest
                .newBuilder(URI.create(System.getProperty(PREFIX + "target") + exchange.getRequestURI()))
                .method(exchange.getRequestMethod(), requestBody.length == 0
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(requestBody));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_HEADERS.contains(name.toLowerCase())) {
                values.forEach(value -> request.header(name, value));
            }
        });
        HttpResponse<byte[]> response;
        try {
            response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        for (Map.Entry<String, List<String>> header : response.headers().map().entrySet()) {
            if (!HOP_HEADERS.contains(header.getKey().toLowerCase()) && !header.getKey().startsWith(":")) {
                header.getValue().forEach(value -> exchange.getResponseHeaders().add(header.getKey(), value));
            }
        }
        exchange.sendResponseHeaders(response.statusCode(), response.body().length == 0 ? -1 : response.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(response.body());
        }
    }
}
