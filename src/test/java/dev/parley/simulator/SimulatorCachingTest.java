package dev.parley.simulator;

import static dev.parley.simulator.SimulatorHttp.request;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.simulator.SimulatorHttp.Reply;

/**
 * Prompt caching as §6.2 of the protocol reference describes it, with hand-computed token positions. Every prompt
 * starts with eight random letters (exactly two tokens) so tests never share a cache entry.
 */
@QuarkusTest
class SimulatorCachingTest {

    /** Minimum cacheable prefix 2048 tokens. */
    private static final String MODEL = "claude-sonnet-4-6";

    @TestHTTPResource("/simulator")
    URI simulator;

    private SimulatorHttp http;

    @BeforeEach
    void client() {
        http = new SimulatorHttp(simulator);
    }

    @Test
    void firstRequestWritesFiveMinuteCacheAndTheSecondReadsIt() {
        // 4 (request) + 2 (unique prefix) + 3000 words = 3006 tokens up to the breakpoint; "Hi" adds 3 + 1.
        ObjectNode body = withSystem(block(uniquePrefix() + words(3000), "5m"));
        JsonNode first = usage(body);
        assertUsage(first, 4, 3006, 0, 0);
        assertThat(first.path("cache_creation_input_tokens").asLong()).isEqualTo(3006);
        JsonNode second = usage(body);
        assertUsage(second, 4, 0, 0, 3006);
    }

    @Test
    void oneHourBreakpointBeforeFiveMinuteOneBillsEachTtlSeparately() {
        String prefix = uniquePrefix();
        ObjectNode first = withSystem(block(prefix + words(2100), "1h"), block(words(1000), "5m"));
        // Positions: 1h breakpoint at 4 + 2 + 2100 = 2106, 5m breakpoint at 3106, "Hi" brings the total to 3110.
        assertUsage(usage(first), 4, 1000, 2106, 0);
        assertUsage(usage(first), 4, 0, 0, 3106);
        // Same 1h block, new 5m block: the lookback finds the 1h entry and only the new part is written.
        ObjectNode changed = withSystem(block(prefix + words(2100), "1h"), block(words(999) + " ever", "5m"));
        assertUsage(usage(changed), 4, 1000, 0, 2106);
    }

    @Test
    void prefixBelowTheModelMinimumIsNotCached() {
        ObjectNode body = withSystem(block(uniquePrefix() + words(500), "5m"));
        assertUsage(usage(body), 510, 0, 0, 0);
        assertUsage(usage(body), 510, 0, 0, 0);
    }

    @Test
    void cacheOffDirectiveNeitherReadsNorWrites() {
        ObjectNode body = withSystem(block(uniquePrefix() + words(3000), "5m"));
        userText(body, "Hi [[sim:cache=off]]");
        JsonNode first = usage(body);
        long total = first.path("input_tokens").asLong();
        assertThat(total).isGreaterThan(3006);
        assertUsage(first, total, 0, 0, 0);
        assertUsage(usage(body), total, 0, 0, 0);
    }

    @Test
    void cacheColdDirectiveMissesButWrites() {
        ObjectNode body = withSystem(block(uniquePrefix() + words(3000), "5m"));
        assertUsage(usage(body), 4, 3006, 0, 0);
        userText(body, "Hi [[sim:cache=cold]]");
        JsonNode cold = usage(body);
        assertThat(cold.path("cache_read_input_tokens").asLong()).isZero();
        assertThat(cold.path("cache_creation_input_tokens").asLong()).isEqualTo(3006);
    }

    @Test
    void topLevelCacheControlPutsTheBreakpointOnTheLastBlock() {
        ObjectNode body = request(MODEL, 10, uniquePrefix() + words(2500));
        body.putObject("cache_control").put("type", "ephemeral");
        // 4 + 3 (message) + 2 + 2500: everything is written.
        assertUsage(usage(body), 0, 2509, 0, 0);
        assertUsage(usage(body), 0, 0, 0, 2509);
    }

    @Test
    void cacheIsScopedToTheModel() {
        ObjectNode body = withSystem(block(uniquePrefix() + words(5000), "5m"));
        assertUsage(usage(body), 4, 5006, 0, 0);
        body.put("model", "claude-opus-4-6");
        assertUsage(usage(body), 4, 5006, 0, 0);
    }

    @Test
    void countTokensReportsTheWholePromptRegardlessOfCache() {
        ObjectNode body = withSystem(block(uniquePrefix() + words(3000), "5m"));
        usage(body);
        ObjectNode count = body.deepCopy();
        count.remove("max_tokens");
        Reply reply = http.post("/v1/messages/count_tokens", count);
        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.json().toString()).isEqualTo("{\"input_tokens\":3010}");
    }

    private JsonNode usage(ObjectNode body) {
        Reply reply = http.post("/v1/messages", body);
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        return reply.json().path("usage");
    }

    private static void assertUsage(JsonNode usage, long input, long write5m, long write1h, long read) {
        assertThat(usage.path("input_tokens").asLong()).as("input_tokens in %s", usage).isEqualTo(input);
        assertThat(usage.path("cache_creation").path("ephemeral_5m_input_tokens").asLong()).as("5m write in %s", usage)
                .isEqualTo(write5m);
        assertThat(usage.path("cache_creation").path("ephemeral_1h_input_tokens").asLong()).as("1h write in %s", usage)
                .isEqualTo(write1h);
        assertThat(usage.path("cache_creation_input_tokens").asLong()).isEqualTo(write5m + write1h);
        assertThat(usage.path("cache_read_input_tokens").asLong()).as("read in %s", usage).isEqualTo(read);
    }

    private static void userText(ObjectNode body, String text) {
        ((ObjectNode) body.withArray("messages").get(0)).put("content", text);
    }

    private static ObjectNode withSystem(ObjectNode... blocks) {
        ObjectNode body = request(MODEL, 10, "Hi");
        for (ObjectNode block : blocks) {
            body.withArray("system").add(block);
        }
        return body;
    }

    private static ObjectNode block(String text, String ttl) {
        ObjectNode block = SimulatorHttp.JSON.createObjectNode().put("type", "text").put("text", text);
        ObjectNode cacheControl = block.putObject("cache_control").put("type", "ephemeral");
        if (ttl.equals("1h")) {
            cacheControl.put("ttl", "1h");
        }
        return block;
    }

    /** Eight random lowercase letters: two tokens. */
    private static String uniquePrefix() {
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            prefix.append((char) ('a' + ThreadLocalRandom.current().nextInt(26)));
        }
        return prefix.toString();
    }

    /** {@code n} times " word": n tokens. */
    private static String words(int n) {
        return " word".repeat(n);
    }
}
