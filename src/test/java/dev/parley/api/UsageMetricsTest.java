package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.math.BigDecimal;
import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.harness.Metrics;

/**
 * What a turn thought and what caching saved, as {@code /q/metrics} shows them: the counters grow by what the
 * {@code done} event reported. Other tests of the JVM count too, so each check compares before and after one turn.
 */
@QuarkusTest
class UsageMetricsTest {

    private static final String SONNET = "{gen_ai_request_model=\"claude-sonnet-4-6\"}";
    private static final String HITS = "parley_chat_cache_hits_total" + SONNET;
    private static final String SAVED = "parley_chat_cache_saved_usd_total" + SONNET;
    private static final String OVERSPENT = "parley_chat_cache_overspent_usd_total" + SONNET;
    private static final String THINKING = "parley_chat_thinking_tokens_total{gen_ai_request_model=\"claude-opus-5-5\"}";

    @TestHTTPResource("/")
    URI app;

    private SseTestClient sse;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
    }

    @Test
    void aTurnReadingFromTheCacheCountsOneHitAndWhatItSaved() {
        Map<String, Double> before = samples();
        JsonNode done = sse.stream(ChatStreamTest.body("[[sim:cache-min=16]] "
                + "[[sim:tool=get_current_time {\"timezone\":\"UTC\"}]] "
                + "[[sim:tool@2=calculate {\"expression\":\"5*4\"}]]", "cached-loop")).last().data();
        BigDecimal saved = ChatStreamTest.usd(done.path("cost").path("savedUsd"));
        assertThat(saved.signum()).as("rounds 2 and 3 read what round 1 wrote").isPositive();

        Map<String, Double> after = samples();

        // One turn, however many of its rounds read from the cache.
        assertThat(increase(before, after, HITS)).isEqualTo(1);
        assertThat(increase(before, after, SAVED)).isCloseTo(saved.doubleValue(), within(1e-12));
        assertThat(increase(before, after, OVERSPENT)).isZero();
    }

    @Test
    void aTurnThatOnlyWritesTheCacheCountsNoHitAndWhatTheWritesCostBeyondPlainInput() {
        Map<String, Double> before = samples();
        // cold: the profile's tools are a prefix earlier turns of the JVM may have cached; this turn must miss it.
        JsonNode done = sse.stream(ChatStreamTest.body("[[sim:cache-min=16]] [[sim:cache=cold]] "
                + "[[sim:reply=Written.]]", "cached-loop")).last().data();
        assertThat(done.path("usage").path("cacheWrite5mInputTokens").asLong()).isPositive();
        assertThat(done.path("usage").path("cacheReadInputTokens").asLong()).isZero();
        BigDecimal saved = ChatStreamTest.usd(done.path("cost").path("savedUsd"));
        assertThat(saved.signum()).as("a 5-minute write costs 1.25 times plain input").isNegative();

        Map<String, Double> after = samples();

        assertThat(increase(before, after, HITS)).isZero();
        assertThat(increase(before, after, SAVED)).isZero();
        assertThat(increase(before, after, OVERSPENT)).isCloseTo(saved.negate().doubleValue(), within(1e-12));
    }

    @Test
    void thinkingTokensAreCountedPerModel() {
        Map<String, Double> before = samples();
        JsonNode done = sse.stream(ChatStreamTest.body("Why? [[sim:thinking=12]] [[sim:reply=Because.]]",
                "thinker")).last().data();
        assertThat(done.path("usage").path("thinkingTokens").asLong()).isEqualTo(12);

        assertThat(increase(before, samples(), THINKING)).isEqualTo(12);
    }

    private Map<String, Double> samples() {
        return Metrics.samples(given().get(app.resolve("/q/metrics")).asString());
    }

    private static double increase(Map<String, Double> before, Map<String, Double> after, String sample) {
        assertThat(after).as("%s is scraped", sample).containsKey(sample);
        return after.get(sample) - before.getOrDefault(sample, 0.0);
    }
}
