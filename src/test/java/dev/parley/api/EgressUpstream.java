package dev.parley.api;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;

import dev.parley.harness.SimulatorFront;
import dev.parley.harness.TestEgressProxy;
import dev.parley.harness.TestPki;

/**
 * The world of an operator behind an egress proxy, started before the application: a remote upstream (the test
 * application's own simulator behind a {@link SimulatorFront}, over TLS with a certificate of a test CA, or plain
 * HTTP), an HTTP {@link TestEgressProxy} asking for {@link #USER}/{@link #PASSWORD}, and a port nothing listens on.
 * Their ports and the CA's file are configuration ({@code test.*}), so a profile's keys can name them:
 * {@code https://localhost:${test.front.tls-port}/simulator}. A test reads what the proxy and the front saw through
 * the static helpers, over HTTP.
 */
public class EgressUpstream implements QuarkusTestResourceLifecycleManager {

    static final String USER = "parley-egress";
    /** Long enough for the redactor to look for it (8 characters and more). */
    static final String PASSWORD = "proxy-secret-4711";

    /** A profile's upstream: the fronted simulator over TLS. */
    static final String TLS_UPSTREAM = "https://localhost:${test.front.tls-port}/simulator";
    static final String PROXY = "http://localhost:${test.proxy.port}";
    static final String PROXY_WITH_CREDENTIALS = "http://" + USER + ":" + PASSWORD + "@localhost:${test.proxy.port}";
    static final String CA_FILE = "${test.ca-pem}";

    private Vertx vertx;

    @Override
    public Map<String, String> start() {
        TestPki pki = TestPki.get();
        vertx = Vertx.vertx();
        SimulatorFront front = SimulatorFront.start(vertx, pki);
        TestEgressProxy proxy = TestEgressProxy.start(vertx, USER, PASSWORD);
        return Map.of("test.front.tls-port", String.valueOf(front.tlsPort()),
                "test.front.plain-port", String.valueOf(front.plainPort()),
                "test.proxy.port", String.valueOf(proxy.port()),
                "test.ca-pem", pki.caPem().toString(),
                "test.closed-port", String.valueOf(closedPort()));
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    /** What the proxy was asked since the last {@link #reset()}: {@code CONNECT localhost:1234 auth=ok}, ... */
    static List<String> proxySaw() {
        return lines(given().get(proxy("/seen")).then().statusCode(200).extract().asString());
    }

    /** What the front relayed since the last reset: {@code POST /simulator/v1/messages from=54321}, ... */
    static List<String> frontSaw() {
        return lines(given().get(front("/front/seen")).then().statusCode(200).extract().asString());
    }

    /** The local ports of every tunnel the proxy opened to its targets. */
    static Set<String> tunnelPorts() {
        return Set.copyOf(lines(given().get(proxy("/tunnels")).then().statusCode(200).extract().asString()));
    }

    /** Whether every request the front relayed came over one of the proxy's tunnels; false if there was none. */
    static boolean frontSawOnlyTunnels() {
        List<String> relayed = frontSaw();
        Set<String> tunnels = tunnelPorts();
        return !relayed.isEmpty() && relayed.stream()
                .allMatch(line -> tunnels.contains(line.substring(line.lastIndexOf("from=") + 5)));
    }

    /**
     * Points the front at the application, which listens by now, and forgets what the proxy and the front saw, and
     * undoes {@link #proxy(String)} steering.
     */
    static void reset() {
        given().post(front("/front/target/" + port("quarkus.http.test-port"))).then().statusCode(204);
        given().delete(proxy("/seen")).then().statusCode(204);
        given().delete(front("/front/seen")).then().statusCode(204);
    }

    /** A URL of the proxy's own admin ({@code /seen}, {@code /answer/403}, {@code /require/u/p}). */
    static String proxy(String path) {
        return "http://localhost:" + port("test.proxy.port") + path;
    }

    private static String front(String path) {
        return "http://localhost:" + port("test.front.plain-port") + path;
    }

    static int port(String key) {
        return ConfigProvider.getConfig().getValue(key, Integer.class);
    }

    private static List<String> lines(String text) {
        return Arrays.stream(text.split("\n")).filter(line -> !line.isBlank()).collect(Collectors.toList());
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
