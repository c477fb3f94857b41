package dev.parley.api;

import static dev.parley.api.ChatStreamTest.uniqueId;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.SseTestClient.StreamReply;

/** A tool loop always ends: at most 3 rounds, 4 tool calls and $0.02 per turn here. */
@QuarkusTest
@TestProfile(ToolLoopLimitsTest.SmallLimits.class)
class ToolLoopLimitsTest {

    /** Limits small enough to reach in a test. */
    public static class SmallLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.limits.max-rounds", "3", "parley.limits.max-tool-calls", "4",
                    "parley.limits.max-cost-usd", "0.02", "parley.limits.max-message-chars", "100000");
        }
    }

    @TestHTTPResource("/")
    URI app;

    private SseTestClient sse;
    private String id;

    @BeforeEach
    void client() {
        sse = new SseTestClient(app);
        id = uniqueId();
    }

    @Test
    void aModelThatKeepsCallingToolsIsStoppedAtTheRoundLimit() {
        StreamReply reply = toolbox("[[sim:tool=calculate {\"expression\":\"1+1\"}]] "
                + "[[sim:tool@2=calculate {\"expression\":\"2+2\"}]] [[sim:tool@3=calculate {\"expression\":\"3+3\"}]] "
                + "[[sim:tool@4=calculate {\"expression\":\"4+4\"}]]");
        JsonNode done = reply.last().data();
        assertThat(reply.last().event()).isEqualTo("done");
        assertThat(done.path("stopReason").asText()).isEqualTo("max_rounds");
        assertThat(done.path("roundCount").asInt()).isEqualTo(3);
        // The third round's calls were not run.
        assertThat(reply.names().stream().filter("tool_result"::equals).count()).isEqualTo(2);
        assertThat(sse.simulatorCounter(id, "requests")).isEqualTo(3);
    }

    @Test
    void tooManyToolCallsInOneTurnAreNotRun() {
        StringBuilder calls = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            calls.append("[[sim:tool=calculate {\"expression\":\"").append(i).append("+1\"}]] ");
        }
        StreamReply reply = toolbox(calls.toString());
        assertThat(reply.last().data().path("stopReason").asText()).isEqualTo("max_tool_calls");
        assertThat(reply.names()).doesNotContain("tool_result");
    }

    @Test
    void aTurnThatHasSpentItsBudgetStartsNoFurtherRound() {
        // 8,000 words make the first round's input alone cost more than $0.024 on Sonnet 4.6 ($3 per million):
        // past the $0.02 budget, so the round its tool calls would need is not started.
        String padding = " word".repeat(8000);
        StreamReply reply = sse.stream(SseTestClient.JSON.valueToTree(Map.of(
                "message", "[[sim:id=" + id + "]] " + padding + " [[sim:tool=calculate {\"expression\":\"1+1\"}]] "
                        + "[[sim:tool@2=calculate {\"expression\":\"2+2\"}]] "
                        + "[[sim:tool@3=calculate {\"expression\":\"3+3\"}]]",
                "assistant", "toolbox")).toString());
        assertThat(reply.last().data().path("stopReason").asText()).isEqualTo("max_cost");
        assertThat(reply.last().data().path("cost").path("totalUsd").decimalValue())
                .isGreaterThanOrEqualTo(new java.math.BigDecimal("0.02"));
        assertThat(reply.names()).doesNotContain("tool_result");
        assertThat(sse.simulatorCounter(id, "requests")).isEqualTo(1);
    }

    private StreamReply toolbox(String directives) {
        return sse.stream(SseTestClient.JSON.valueToTree(Map.of("message", "[[sim:id=" + id + "]] " + directives,
                "assistant", "toolbox")).toString());
    }
}
