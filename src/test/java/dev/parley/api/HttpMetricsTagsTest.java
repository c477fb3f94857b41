package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.harness.Metrics;
import dev.parley.harness.RawHttp;

/**
 * Paths no route matches never become {@code uri} tags of {@code http_server_requests}, whether answered or
 * abandoned: however many an unauthenticated client sends, the real routes keep their series.
 */
@QuarkusTest
class HttpMetricsTagsTest {

    private static final Pattern URI_TAG = Pattern.compile("uri=\"([^\"]*)\"");

    @TestHTTPResource("/")
    URI base;

    @Test
    void malformedAndUnknownPathsCannotCrowdOutTheRealRoutes() {
        String run = Long.toString(System.nanoTime(), 36);
        for (int i = 0; i < 120; i++) {
            // A malformed escape (400 from the router), an unknown API path and an unknown path elsewhere (404s).
            for (String path : new String[]{"/v1/conversations/%ZZ" + run + i, "/v1/junk-" + run + i,
                    "/junk-" + run + i}) {
                try (RawHttp http = RawHttp.connect(base)) {
                    assertThat(http.head("GET " + path + " HTTP/1.1", "Host: localhost").reply().status())
                            .isIn(400, 404);
                }
            }
        }
        // Abandoned: a body declared and never sent, the connection closed (Quarkus records these as RESET).
        for (int i = 0; i < 120; i++) {
            RawHttp.connect(base).head("POST /v1/abandoned-" + run + i + " HTTP/1.1", "Host: localhost",
                    "Content-Type: application/json", "Content-Length: 100").close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> metricsPage().contains("status=\"RESET\""));
        given().contentType("application/json").body(SseTestClient.json(Map.of("message", "Hi after the junk")))
                .post("/v1/chat/stream").then().statusCode(200);

        Map<String, Double> samples = Metrics.samples(metricsPage());
        Set<String> uris = new TreeSet<>();
        for (String series : samples.keySet()) {
            if (series.startsWith("http_server_requests_seconds_count{")) {
                Matcher uri = URI_TAG.matcher(series);
                if (uri.find()) {
                    uris.add(uri.group(1));
                }
            }
        }
        assertThat(uris).contains("/v1/chat/stream", "NOT_FOUND", "UNKNOWN");
        assertThat(uris).noneMatch(uri -> uri.contains(run) || uri.contains("%") || uri.contains("junk")
                || uri.contains("abandoned") || uri.contains("UNMATCHED"));
    }

    private static String metricsPage() {
        return given().get("/q/metrics").asString();
    }
}
