package dev.parley.frontdoor;

import static dev.parley.frontdoor.DoorWitness.counter;
import static dev.parley.frontdoor.DoorWitness.upstreamBody;
import static dev.parley.frontdoor.DoorWitness.upstreamRequests;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.DOOR_KEY;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.MODEL;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.ask;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.assertRefusal;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.uniqueId;
import static dev.parley.frontdoor.FrontDoorJavaSdkTest.weatherTool;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.anthropic.client.AnthropicClient;
import com.anthropic.core.http.HttpResponseFor;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.OverloadedException;
import com.anthropic.errors.SseException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.ErrorType;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.TextBlock;
import com.anthropic.models.messages.ToolUseBlock;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.parley.harness.LedgerRows;
import dev.parley.harness.RawHttp;

/**
 * Streamed messages through the front door, with the official Java SDK and with raw HTTP: the events reach the client
 * as the upstream sent them; what fails before the first content event is retried by parley unseen; what fails after
 * it ends with an {@code error} event of Anthropic's form; and every stream, however it ends, has its ledger row.
 */
@QuarkusTest
@TestProfile(FrontDoorJavaSdkTest.Callers.class)
class FrontDoorStreamingTest extends JavaSdkAtTheDoor {

    @Test
    void aStreamIsTheUpstreamsEventsMeteredInTheLedger() throws Exception {
        String id = uniqueId();
        MessageCreateParams params = ask(id, "[[sim:tokens=12]]").build();
        List<RawMessageStreamEvent> events = new ArrayList<>();

        HttpResponseFor<StreamResponse<RawMessageStreamEvent>> response = client(DOOR_KEY).messages()
                .withRawResponse().createStreaming(params);
        try (StreamResponse<RawMessageStreamEvent> stream = response.parse()) {
            stream.stream().forEach(events::add);
        }
        MessageAccumulator accumulator = MessageAccumulator.create();
        events.forEach(accumulator::accumulate);
        Message message = accumulator.message();

        assertThat(events.getFirst().isMessageStart()).isTrue();
        assertThat(events.getLast().isMessageStop()).isTrue();
        assertThat(events).filteredOn(RawMessageStreamEvent::isContentBlockDelta).hasSize(12);
        assertThat(message.stopReason()).contains(StopReason.END_TURN);
        assertThat(response.headers().values("content-type")).singleElement()
                .satisfies(type -> assertThat(type).startsWith("text/event-stream"));
        assertThat(response.requestId()).hasValueSatisfying(requestId -> assertThat(requestId).startsWith("req_"));
        assertThat(response.headers().names()).contains("anthropic-ratelimit-requests-limit")
                .doesNotContain("parley-simulator");

        Map<String, Object> row = door.awaitRow(id);
        assertThat(row).containsEntry("outcome", "ok").containsEntry("caller", "door").containsEntry("model", MODEL)
                .containsEntry("output_tokens_final", true).containsEntry("stop_reason", "end_turn")
                .containsEntry("input_tokens", message.usage().inputTokens())
                .containsEntry("output_tokens", message.usage().outputTokens());
        assertThat((BigDecimal) row.get("cost_usd")).isEqualByComparingTo(BigDecimal
                .valueOf(message.usage().inputTokens() * 3 + message.usage().outputTokens() * 15).movePointLeft(6));
        assertThat(row.get("time_to_first_token_ms")).isNotNull();
        assertThat(LedgerRows.rounds(door.ledger(), (String) row.get("turn_id"))).singleElement()
                .satisfies(round -> assertThat(round).containsEntry("message_id", message.id())
                        .containsEntry("upstream_request_id", response.requestId().orElseThrow()));
        assertThat(upstreamBody(id, 0).path("stream").asBoolean()).isTrue();
        assertThat(upstreamRequests(id).getString("[0].headers.accept")).isEqualTo("text/event-stream");
    }

    @Test
    void aStreamedToolRoundTripPassesItsInputDeltas() {
        String id = uniqueId();
        MessageAccumulator accumulator = MessageAccumulator.create();

        try (StreamResponse<RawMessageStreamEvent> stream = client(DOOR_KEY).messages().createStreaming(
                ask(id, "Weather in Oslo? [[sim:tool=get_weather {\"city\":\"Oslo\",\"unit\":\"celsius\"}]]")
                        .addTool(weatherTool()).build())) {
            stream.stream().forEach(accumulator::accumulate);
        }

        Message call = accumulator.message();
        assertThat(call.stopReason()).contains(StopReason.TOOL_USE);
        ToolUseBlock toolUse = call.content().stream().filter(ContentBlock::isToolUse).map(ContentBlock::asToolUse)
                .findFirst().orElseThrow();
        assertThat(toolUse._input().toString()).contains("Oslo");
        assertThat(door.awaitRow(id)).containsEntry("stop_reason", "tool_use").containsEntry("outcome", "ok");
    }

    // ---------------------------------------------------------------- before the first content: parley retries

    @Test
    void anOverloadedErrorEventBeforeAnyContentIsRiddenOutUnseen() {
        String id = uniqueId();

        Message message = streamed(client(DOOR_KEY), ask(id, "[[sim:fault=error-event after=0]] [[sim:reply=Made it.]]")
                .build());

        assertThat(text(message)).isEqualTo("Made it.");
        assertThat(counter(id, "requests")).isEqualTo(2);
        assertThat(upstreamRequests(id).getList("headers.'x-stainless-retry-count'")).containsOnlyNulls();
        assertThat(door.awaitRow(id)).containsEntry("outcome", "ok")
                .containsEntry("output_tokens", message.usage().outputTokens());
    }

    @Test
    void aLasting529IsAnOverloadedStatusAfterOneSdkAttempt() {
        String id = uniqueId();

        OverloadedException e = assertThrows(OverloadedException.class,
                () -> streamed(client(DOOR_KEY), ask(id, "[[sim:fault=529 times=always]]").build()));

        assertRefusal(e, 529, ErrorType.OVERLOADED_ERROR);
        assertThat(counter(id, "requests")).as("parley's three attempts, and no more from the SDK").isEqualTo(3);
        assertThat(door.awaitRow(id)).containsEntry("outcome", "upstream_error");
    }

    // ---------------------------------------------------------------- after the first content: an error event

    @Test
    void aStreamCutMidwayEndsWithAnErrorEventAndIsMeteredAsFarAsCounted() {
        String id = uniqueId();
        List<RawMessageStreamEvent> received = new ArrayList<>();

        SseException e = assertThrows(SseException.class, () -> {
            try (StreamResponse<RawMessageStreamEvent> stream = client(DOOR_KEY).messages()
                    .createStreaming(ask(id, "[[sim:tokens=20]] [[sim:fault=drop after=5]]").build())) {
                stream.stream().forEach(received::add);
            }
        });

        assertThat(e.type()).contains(ErrorType.API_ERROR);
        assertThat(e.apiMessage()).hasValueSatisfying(message -> assertThat(message).contains("lost the connection"));
        assertThat(received).filteredOn(RawMessageStreamEvent::isContentBlockDelta).hasSize(5);
        assertThat(received).noneMatch(RawMessageStreamEvent::isMessageStop);
        assertThat(counter(id, "requests")).as("never retried once content reached the client").isEqualTo(1);
        Map<String, Object> row = door.awaitRow(id);
        assertThat(row).containsEntry("outcome", "upstream_error").containsEntry("output_tokens_final", false);
        assertThat((Long) row.get("input_tokens")).as("counted in message_start").isPositive();
    }

    @Test
    void anUpstreamErrorEventMidStreamPassesWithItsTypeAndParleysMessage() {
        String id = uniqueId();

        SseException e = assertThrows(SseException.class, () -> streamed(client(DOOR_KEY),
                ask(id, "[[sim:tokens=10]] [[sim:fault=error-event after=3]]").build()));

        assertThat(e.type()).contains(ErrorType.OVERLOADED_ERROR);
        assertThat(e.apiMessage()).hasValueSatisfying(message -> assertThat(message)
                .contains("ended the stream with overloaded_error").doesNotContain("Overloaded"));
        assertThat(counter(id, "requests")).isEqualTo(1);
        assertThat(door.awaitRow(id)).containsEntry("outcome", "upstream_error");
    }

    @Test
    void aClientThatLeavesMidStreamCancelsTheUpstreamCallAndIsMetered() throws Exception {
        String id = uniqueId();
        byte[] body = ("{\"model\":\"" + MODEL + "\",\"max_tokens\":400,\"stream\":true,\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"[[sim:id=" + id + "]] [[sim:tokens=300]] [[sim:delay=20ms]] Hi\"}]}")
                .getBytes(StandardCharsets.UTF_8);

        try (RawHttp raw = RawHttp.connect(app)) {
            raw.head("POST /anthropic/v1/messages HTTP/1.1", "Host: localhost", "x-api-key: " + DOOR_KEY,
                    "anthropic-version: 2023-06-01", "Content-Type: application/json", "X-Request-Id: " + id,
                    "Content-Length: " + body.length);
            raw.send(body);
            BufferedReader lines = new BufferedReader(new InputStreamReader(raw.input(), StandardCharsets.UTF_8));
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.contains("content_block_delta")) {
                    break;
                }
            }
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> counter(id, "streamsAbandoned") == 1);
        Map<String, Object> row = door.awaitRow(id);
        assertThat(row).containsEntry("outcome", "client_cancelled").containsEntry("output_tokens_final", false);
        assertThat((Long) row.get("input_tokens")).isPositive();
    }

    // ---------------------------------------------------------------- helpers

    private static Message streamed(AnthropicClient client, MessageCreateParams params) {
        MessageAccumulator accumulator = MessageAccumulator.create();
        try (StreamResponse<RawMessageStreamEvent> stream = client.messages().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        return accumulator.message();
    }

    private static String text(Message message) {
        return message.content().stream().filter(ContentBlock::isText).map(ContentBlock::asText)
                .map(TextBlock::text).reduce("", String::concat);
    }
}
