package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.parley.harness.PackagedJar;
import dev.parley.harness.ParleyProcess;
import dev.parley.harness.ParleyProcess.Exited;

/**
 * Two parley processes sharing one Redis (127.0.0.1:6379) hold a caller's token limit under concurrent load: waves of
 * identical requests, sent at once and split between them, use no more tokens in all than the limit (each round holds
 * an upper bound of its tokens until it settles, so usage passes the limit by at most what running rounds held beyond
 * their real use: here, nothing); the refused ones are {@code caller_rate_limited}; and settled turns give room back
 * to later waves on either replica. A negative limit stops start-up in one line.
 */
@PackagedJar
class CallerLimitsAcrossReplicasIT {

    private static final long TOKENS_A_DAY = 6000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void concurrentRequestsThroughTwoReplicasStayWithinTheTokenLimit() throws Exception {
        Map<String, String> environment = Map.of(
                "PARLEY_AUTH_MODE", "gateway",
                "PARLEY_SIMULATOR_ENABLED", "true",
                "ANTHROPIC_BASE_URL", "embedded",
                "ANTHROPIC_API_KEY", "parley-simulator-key",
                "PARLEY_RATE_LIMITS_STORE", "redis",
                "PARLEY_REDIS_URL", "redis://127.0.0.1:6379",
                "PARLEY_RATE_LIMITS_REDIS_KEY_PREFIX", "parley:it:" + UUID.randomUUID() + ":",
                "PARLEY_RATE_LIMITS_DEFAULT_TOKENS_PER_DAY", Long.toString(TOKENS_A_DAY));
        String caller = "replicas-" + UUID.randomUUID();
        try (ParleyProcess first = ParleyProcess.start("limits-1", environment);
                ParleyProcess second = ParleyProcess.start("limits-2", environment)) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            // A cold replica's first calls (its first Redis connection, code not yet compiled, on a loaded machine)
            // can outlast the 1 s Redis timeout and be refused 503: each replica answers one chat first.
            for (ParleyProcess replica : List.of(first, second)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> client.send(chat(replica.uri(),
                        "warm-" + UUID.randomUUID()), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
            }
            long used = 0;
            long largestBound = 0;
            int succeeded = 0;
            int refused = 0;
            for (int wave = 0; wave < 4; wave++) {
                List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    URI replica = (i % 2 == 0 ? first : second).uri();
                    replies.add(client.sendAsync(chat(replica, caller), HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> reply : replies) {
                    HttpResponse<String> response = reply.join();
                    JsonNode body = JSON.readTree(response.body());
                    if (response.statusCode() == 429) {
                        assertThat(body.path("code").asText()).isEqualTo("caller_rate_limited");
                        refused++;
                        continue;
                    }
                    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                    JsonNode usage = body.path("usage");
                    used += usage.path("inputTokens").asLong() + usage.path("cacheReadInputTokens").asLong()
                            + usage.path("cacheCreationInputTokens").asLong() + usage.path("outputTokens").asLong();
                    String state = response.headers().firstValue("RateLimit").orElseThrow();
                    largestBound = Math.max(largestBound, TOKENS_A_DAY - remaining(state));
                    succeeded++;
                }
            }
            assertThat(used).as("tokens used through both replicas").isLessThanOrEqualTo(TOKENS_A_DAY);
            assertThat(refused).isPositive();
            // More turns succeeded than the limit holds at their bound at once: settled turns gave room back.
            assertThat(largestBound).isPositive();
            assertThat(succeeded).isGreaterThan((int) (TOKENS_A_DAY / largestBound) + 1);
        }
    }

    @Test
    void aNegativeLimitStopsStartUpInOneLine() throws Exception {
        Exited start = ParleyProcess.refusedStart(ParleyProcess.thisJava(),
                Map.of("PARLEY_ANTHROPIC_BASE_URL", "embedded", "PARLEY_RATE_LIMITS_DEFAULT_TOKENS_PER_MINUTE", "-5"),
                Files.createTempDirectory(Path.of("target"), "negative-limit-"));

        assertThat(start.code()).isNotZero();
        assertThat(StartupRefusalsIT.plainLines(start.output())).containsExactly("parley did not start: "
                + "parley.rate-limits.default.tokens-per-minute is -5, but a limit must be at least 1 (leave it unset "
                + "for no limit)");
    }

    /** One identical chat: 100 tokens of output, paced so that a wave's turns overlap. */
    private static HttpRequest chat(URI replica, String caller) {
        return HttpRequest.newBuilder(replica.resolve("/v1/chat")).timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json").header("X-Parley-Caller", caller)
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"[[sim:tokens=100]] [[sim:delay=5ms]] Go\","
                        + "\"maxTokens\":500,\"assistant\":\"concise\"}"))
                .build();
    }

    /** The {@code r} of the {@code tpd} policy in a {@code RateLimit} field. */
    private static long remaining(String field) {
        String member = field.substring(field.indexOf("\"tpd\";r=") + "\"tpd\";r=".length());
        return Long.parseLong(member.substring(0, member.indexOf(';')));
    }
}
