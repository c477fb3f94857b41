package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.net.URI;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.api.SseTestClient.StreamReply;

/**
 * A profile's cache breakpoints on the tools and on each request's last message make a tool loop's later rounds, and
 * a kept conversation's later turns, read what came before from the simulator's prompt cache; {@code cost.savedUsd}
 * says what that saved, exactly. The profile {@code cached-loop} is Claude Sonnet 4.6 ($3 input, $3.75 5-minute write,
 * $0.30 read per million); {@code [[sim:cache-min=16]]} lets the short test prompts be cached.
 */
@QuarkusTest
class CachingPaysTest {

    private static final BigDecimal INPUT = new BigDecimal("3");
    private static final BigDecimal WRITE_5M = new BigDecimal("3.75");
    private static final BigDecimal READ = new BigDecimal("0.30");

    @TestHTTPResource("/")
    URI app;

    private SseTestClient sse;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
        // Other tests of the JVM run cached-loop turns too, and the profile's tools are a prefix they all share:
        // each test here starts from an empty prompt cache, so that its first round writes everything.
        given().post(app.resolve("/simulator/admin/reset")).then().statusCode(204);
    }

    @Test
    void eachRoundOfAToolLoopReadsTheEarlierRoundsFromTheCache() {
        String id = ChatStreamTest.uniqueId();
        StreamReply reply = sse.stream(ChatStreamTest.body("[[sim:id=" + id + "]] [[sim:cache-min=16]] "
                + "[[sim:tool=get_current_time {\"timezone\":\"UTC\"}]] "
                + "[[sim:tool@2=calculate {\"expression\":\"5*4\"}]]", "cached-loop"));

        JsonNode done = reply.last().data();
        assertThat(done.path("stopReason").asText()).isEqualTo("end_turn");
        JsonNode rounds = done.path("rounds");
        assertThat(rounds.size()).isEqualTo(3);
        // Round 1 writes its whole prompt; round N reads all of round N-1's prompt and writes only what is new.
        JsonNode first = rounds.get(0).path("usage");
        assertThat(first.path("cacheReadInputTokens").asLong()).isZero();
        assertThat(first.path("cacheWrite5mInputTokens").asLong()).isEqualTo(prompt(first));
        for (int n = 1; n < rounds.size(); n++) {
            JsonNode previous = rounds.get(n - 1).path("usage");
            JsonNode usage = rounds.get(n).path("usage");
            assertThat(usage.path("cacheReadInputTokens").asLong()).as("round %d reads round %d's prompt", n + 1, n)
                    .isEqualTo(prompt(previous));
            assertThat(usage.path("inputTokens").asLong()).isZero();
        }
        // What caching saved, round by round and in all: to the millionth of a cent, as BigDecimal arithmetic.
        BigDecimal saved = BigDecimal.ZERO;
        for (JsonNode round : rounds) {
            BigDecimal expected = saved(round.path("usage"));
            assertThat(ChatStreamTest.usd(round.path("cost").path("savedUsd"))).isEqualByComparingTo(expected);
            saved = saved.add(expected);
        }
        assertThat(ChatStreamTest.usd(done.path("cost").path("savedUsd"))).isEqualByComparingTo(saved);
        assertThat(saved.signum()).as("three rounds read more than they wrote").isPositive();

        // The breakpoints on the wire: the last tool, and the last block of the last message; never more than 4.
        JsonNode requests = given().get(app.resolve("/simulator/admin/requests?id=" + id)).then().statusCode(200)
                .extract().as(JsonNode.class);
        for (JsonNode request : requests) {
            JsonNode body = request.path("body");
            JsonNode tools = body.path("tools");
            assertThat(tools.get(tools.size() - 1).path("cache_control").path("type").asText()).isEqualTo("ephemeral");
            JsonNode messages = body.path("messages");
            JsonNode lastContent = messages.get(messages.size() - 1).path("content");
            assertThat(lastContent.get(lastContent.size() - 1).has("cache_control")).isTrue();
            assertThat(body.toString().split("\"cache_control\"", -1).length - 1).isEqualTo(2);
        }
    }

    @Test
    void aKeptConversationsNextTurnReadsTheEarlierTurnFromTheCache() {
        String id = ChatStreamTest.uniqueId();
        JsonNode first = given().contentType("application/json")
                .body("{\"message\":\"One [[sim:id=" + id + "]] [[sim:cache-min=16]] [[sim:reply=First.]]\","
                        + "\"assistant\":\"cached-loop\",\"startConversation\":true}")
                .post(app.resolve("/v1/chat")).then().statusCode(200).extract().as(JsonNode.class);
        JsonNode second = given().contentType("application/json")
                .body("{\"message\":\"Two [[sim:id=" + id + "]] [[sim:cache-min=16]] [[sim:reply=Second.]]\","
                        + "\"conversationId\":\"" + first.path("conversationId").asText() + "\"}")
                .post(app.resolve("/v1/chat")).then().statusCode(200).extract().as(JsonNode.class);

        assertThat(second.path("usage").path("cacheReadInputTokens").asLong())
                .isEqualTo(prompt(first.path("usage")));
        assertThat(ChatStreamTest.usd(second.path("cost").path("savedUsd")))
                .isEqualByComparingTo(saved(second.path("usage")));
        // The stored conversation holds no breakpoint: each turn marks only the request it sends.
        JsonNode requests = given().get(app.resolve("/simulator/admin/requests?id=" + id)).then().statusCode(200)
                .extract().as(JsonNode.class);
        assertThat(requests.get(1).path("body").path("messages").get(0).path("content").get(0).has("cache_control"))
                .isFalse();
    }

    private static long prompt(JsonNode usage) {
        return usage.path("inputTokens").asLong() + usage.path("cacheReadInputTokens").asLong()
                + usage.path("cacheCreationInputTokens").asLong();
    }

    /** (read + written) × input price − (read × read price + written × write price), per million tokens. */
    private static BigDecimal saved(JsonNode usage) {
        BigDecimal read = BigDecimal.valueOf(usage.path("cacheReadInputTokens").asLong());
        BigDecimal written = BigDecimal.valueOf(usage.path("cacheWrite5mInputTokens").asLong());
        return read.add(written).multiply(INPUT).subtract(read.multiply(READ)).subtract(written.multiply(WRITE_5M))
                .movePointLeft(6);
    }
}
