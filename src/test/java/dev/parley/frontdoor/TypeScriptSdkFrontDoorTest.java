package dev.parley.frontdoor;

import static dev.parley.frontdoor.FrontDoorJavaSdkTest.BROKE_KEY;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.DOOR_KEY;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.NARROW_KEY;
import static dev.parley.harness.NodeSdk.distinctRuns;
import static dev.parley.harness.NodeSdk.texts;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.agroal.api.AgroalDataSource;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.parley.harness.LedgerRows;
import dev.parley.harness.NodeSdk;

/**
 * The official TypeScript SDK, run through Node ({@link NodeSdk}), pointed at parley's front door by its base URL and
 * a parley caller key only: the same scenarios it runs against the simulator in {@code TypeScriptSdkFidelityTest}. For
 * each: what the SDK saw (its own types, its own retries), the ledger row parley wrote (found by the {@code request-id}
 * the SDK reports, the upstream's), and what the simulator received.
 */
@QuarkusTest
@TestProfile(FrontDoorJavaSdkTest.Callers.class)
class TypeScriptSdkFrontDoorTest {

    private static final String HELLO = "Hello from the simulator, twice over.";

    @TestHTTPResource("/anthropic")
    URI door;

    @Inject
    @Any
    InjectableInstance<AgroalDataSource> datasources;

    @ConfigProperty(name = "parley.ledger.store")
    String store;

    private final String id = UUID.randomUUID().toString();
    private DoorWitness witness;

    @BeforeEach
    void witness() {
        witness = new DoorWitness(datasources, store);
    }

    @Test
    void aMessageIsTheUpstreamsAndIsMetered() {
        JsonNode message = run(DOOR_KEY, "message").get("message");

        assertThat(message.at("/content/0/text").asText()).isEqualTo(HELLO);
        assertThat(message.get("request_id").asText()).startsWith("req_");
        Map<String, Object> row = rowOf(message.get("request_id").asText());
        assertThat(row).containsEntry("outcome", "ok").containsEntry("caller", "door")
                .containsEntry("assistant", "front-door").containsEntry("output_tokens_final", true)
                .containsEntry("input_tokens", message.at("/usage/input_tokens").asLong())
                .containsEntry("output_tokens", message.at("/usage/output_tokens").asLong());
        // Sonnet 4.6: $3 per million input tokens, $15 per million output tokens.
        assertThat((BigDecimal) row.get("cost_usd")).isEqualByComparingTo(BigDecimal.valueOf(
                message.at("/usage/input_tokens").asLong() * 3 + message.at("/usage/output_tokens").asLong() * 15)
                .movePointLeft(6));
        JsonNode upstream = DoorWitness.upstreamRequestTree(id).get(0);
        assertThat(upstream.at("/headers/x-api-key").asText()).as("parley's own key").isEqualTo("(present)");
        assertThat(upstream.at("/headers/user-agent").asText()).as("the SDK's headers stay with parley")
                .doesNotStartWith("Anthropic/JS");
        assertThat(upstream.get("headers").has("x-stainless-lang")).isFalse();
    }

    @Test
    void aStreamArrivesEventByEventAndIsMetered() {
        JsonNode outcome = run(DOOR_KEY, "stream");

        assertThat(outcome.has("error")).as(outcome.toString()).isFalse();
        assertThat(outcome.at("/message/content/0/text").asText()).isEqualTo(HELLO);
        assertThat(distinctRuns(outcome.get("events"))).containsExactly("message_start", "content_block_start",
                "content_block_delta", "content_block_stop", "message_delta", "message_stop");
        Map<String, Object> row = rowOf(outcome.get("request_id").asText());
        assertThat(row).containsEntry("outcome", "ok").containsEntry("output_tokens_final", true)
                .containsEntry("output_tokens", outcome.at("/message/usage/output_tokens").asLong())
                .containsEntry("input_tokens", outcome.at("/message/usage/input_tokens").asLong());
        assertThat(DoorWitness.upstreamBody(id, 0).get("stream").asBoolean()).isTrue();
        assertThat(DoorWitness.counter(id, "streamsCompleted")).isEqualTo(1);
    }

    @Test
    void aToolRoundTripIsTwoMeteredMessages() {
        JsonNode outcome = run(DOOR_KEY, "tool-round-trip");

        assertThat(outcome.at("/rounds/0/stop_reason").asText()).isEqualTo("tool_use");
        assertThat(outcome.at("/rounds/1/stop_reason").asText()).isEqualTo("end_turn");
        assertThat(outcome.get("text").asText()).contains(outcome.at("/toolResults/0").asText());
        assertThat(rowOf(outcome.at("/rounds/0/request_id").asText())).containsEntry("stop_reason", "tool_use");
        assertThat(rowOf(outcome.at("/rounds/1/request_id").asText())).containsEntry("stop_reason", "end_turn");
        JsonNode call = outcome.at("/rounds/0/content");
        JsonNode toolUse = call.get(call.size() - 1);
        assertThat(toolUse.get("type").asText()).isEqualTo("tool_use");
        JsonNode answered = DoorWitness.upstreamBody(id, 1).at("/messages/2/content/0");
        assertThat(answered.get("tool_use_id").asText()).isEqualTo(toolUse.get("id").asText());
    }

    @Test
    void countTokensIsTheBilledInputAndTheModelListThePagedCatalog() {
        JsonNode count = run(DOOR_KEY, "count-tokens");
        JsonNode models = run(DOOR_KEY, "models-list");

        assertThat(count.get("inputTokens").asLong()).isPositive()
                .isEqualTo(count.at("/message/usage/input_tokens").asLong());
        assertThat(DoorWitness.counter(id, "tokenCounts")).isEqualTo(1);
        assertThat(texts(models.get("ids"))).isEqualTo(given().header("x-api-key", "parley-simulator-key")
                .header("anthropic-version", "2023-06-01").get("/simulator/v1/models?limit=1000").then()
                .statusCode(200).extract().jsonPath().getList("data.id", String.class));
        assertThat(models.get("requests")).hasSizeGreaterThan(1);
    }

    // ---------------------------------------------------------------- refusals: typed, and never retried by the SDK

    @Test
    void aWrongKeyIsAnAuthenticationError() {
        JsonNode outcome = run(DOOR_KEY, "error-bad-key");

        assertRefused(outcome, "AuthenticationError", 401, "authentication_error");
        assertThat(DoorWitness.counter(id, "requests")).isZero();
    }

    @Test
    void aModelOutsideThePolicyIsAPermissionError() {
        JsonNode outcome = run(NARROW_KEY, "message");

        assertRefused(outcome, "PermissionDeniedError", 403, "permission_error");
        assertThat(DoorWitness.counter(id, "requests")).isZero();
    }

    @Test
    void aSpentBudgetIsARateLimitErrorTheSdkDoesNotRetry() {
        JsonNode outcome = run(BROKE_KEY, "message");

        // The SDK retries a 429 twice by default: x-should-retry: false stops it.
        assertRefused(outcome, "RateLimitError", 429, "rate_limit_error");
        assertThat(outcome.at("/error/message").asText()).contains("budget");
        assertThat(DoorWitness.counter(id, "requests")).isZero();
    }

    // ---------------------------------------------------------------- parley's retries, in one layer

    @Test
    void a529IsRiddenOutByParleyAndTheSdkSeesOneAnswer() {
        JsonNode outcome = run(DOOR_KEY, "overloaded-then-ok");

        assertThat(outcome.at("/message/content/0/text").asText()).isEqualTo("Made it after one 529.");
        assertThat(outcome.get("requests")).extracting(attempt -> attempt.get("status").asInt()).containsExactly(200);
        assertThat(DoorWitness.counter(id, "requests")).isEqualTo(2);
        assertThat(rowOf(outcome.at("/message/request_id").asText())).containsEntry("outcome", "ok");
    }

    @Test
    void aLasting529IsOneOverloadedErrorNotNineUpstreamCalls() {
        JsonNode outcome = run(DOOR_KEY, "overloaded-for-good");

        assertRefused(outcome, "OverloadedError", 529, "overloaded_error");
        assertThat(DoorWitness.counter(id, "requests")).isEqualTo(3);
    }

    @Test
    void anErrorEventBeforeContentIsRiddenOutUnseen() {
        JsonNode outcome = run(DOOR_KEY, "stream-overloaded-then-ok");

        assertThat(outcome.has("error")).as(outcome.toString()).isFalse();
        assertThat(outcome.at("/message/content/0/text").asText()).isEqualTo("Made it after one error event.");
        assertThat(texts(outcome.get("events"))).filteredOn("message_start"::equals).hasSize(1);
        assertThat(DoorWitness.counter(id, "requests")).isEqualTo(2);
    }

    // ---------------------------------------------------------------- after the first content: an error event

    @Test
    void aCutMidStreamIsTheSdksStreamErrorAndIsMetered() {
        JsonNode outcome = run(DOOR_KEY, "mid-stream-cut");

        assertThat(outcome.has("message")).isFalse();
        assertThat(outcome.at("/error/type").asText()).isEqualTo("api_error");
        assertThat(outcome.at("/error/message").asText()).contains("lost the connection");
        assertThat(texts(outcome.get("events"))).filteredOn("content_block_delta"::equals).hasSize(3);
        assertThat(DoorWitness.counter(id, "requests")).isEqualTo(1);
        Map<String, Object> row = rowOf(outcome.get("request_id").asText());
        assertThat(row).containsEntry("outcome", "upstream_error").containsEntry("output_tokens_final", false);
        assertThat((Long) row.get("input_tokens")).isPositive();
    }

    @Test
    void anErrorEventMidStreamKeepsItsType() {
        JsonNode outcome = run(DOOR_KEY, "error-event-mid-stream");

        assertThat(outcome.at("/error/type").asText()).isEqualTo("overloaded_error");
        assertThat(outcome.at("/error/message").asText()).contains("ended the stream with overloaded_error");
        assertThat(DoorWitness.counter(id, "requests")).isEqualTo(1);
        assertThat(rowOf(outcome.get("request_id").asText())).containsEntry("outcome", "upstream_error");
    }

    // ---------------------------------------------------------------- helpers

    private JsonNode run(String key, String scenario) {
        return NodeSdk.run(door, key, scenario, Map.of("SCENARIO_ID", id));
    }

    /** The SDK's typed error, parley's refusal: made once (the SDK obeyed {@code x-should-retry: false}). */
    private static void assertRefused(JsonNode outcome, String errorClass, int status, String type) {
        JsonNode error = outcome.get("error");
        assertThat(error).as(outcome.toString()).isNotNull();
        assertThat(error.get("class").asText()).isEqualTo(errorClass);
        assertThat(error.get("status").asInt()).isEqualTo(status);
        assertThat(error.get("type").asText()).isEqualTo(type);
        assertThat(error.get("request_id").asText()).isNotBlank();
        assertThat(outcome.get("requests")).as("no retry by the SDK").hasSize(1);
    }

    private Map<String, Object> rowOf(String upstreamRequestId) {
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> LedgerRows.byUpstreamRequestId(witness.ledger(), upstreamRequestId), Optional::isPresent).get();
    }
}
