package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * When the upstream's token count was low (the real API calls it an estimate), the budget is still enforced during the
 * stream: once the round's real input is known (at {@code message_start}), a worst case over the budget ends the
 * stream before any text is sent.
 */
@QuarkusTest
@TestProfile(BudgetCeilingTest.CountsFarTooLow.class)
class BudgetCeilingTest {

    /**
     * $0.00052 a day covers a request counted at one token (the test's {@code count-under} directive) plus 100 tokens
     * of Haiku 4.5 output ($0.0005), but not the real input.
     */
    public static class CountsFarTooLow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.auth.mode", "gateway", "parley.budgets.default.daily-usd", "0.00052");
        }
    }

    @TestHTTPResource("/")
    URI app;

    @Test
    void aRoundWhoseRealInputBreaksTheBudgetStopsBeforeAnyText() {
        String caller = "ceiling-" + UUID.randomUUID();
        SseTestClient sse = new SseTestClient(app, Map.of("X-Parley-Caller", caller));

        SseTestClient.StreamReply reply = sse.stream(
                "{\"message\":\"[[sim:count-under=100000]] [[sim:tokens=50]] Hello there\",\"assistant\":\"concise\",\"maxTokens\":100}");

        assertThat(reply.status()).isEqualTo(200);
        // (A busy machine may add a retry event before: the test profile's first-byte timeout is one second.)
        assertThat(reply.names()).doesNotContain("text").last().isEqualTo("error");
        assertThat(reply.last().data().path("error").path("code").asText()).isEqualTo("budget_exhausted");
        assertThat(reply.last().data().path("usage").path("inputTokens").asLong()).isPositive();
        assertThat(reply.last().data().path("usage").path("outputTokens").asLong()).isLessThan(5);
    }
}
