package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The front door's reading of events: the type its scan finds is the type JSON says, whatever the shape; the data
 * passes untouched; the metering events are decoded; an error event fails the call with its type.
 */
class RawEventsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final RawEvents events = new RawEvents(MAPPER);

    @Test
    void theTypeIsWhatTheJsonSaysWhereverItStands() throws Exception {
        List<String> data = List.of(
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}",
                "{\"type\": \"ping\"}",
                "{ \"type\":\"content_block_stop\",\"index\":0}",
                "{\"index\":0,\"type\":\"content_block_start\",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                "{\"type\":\"a_new_event_of_2027\",\"x\":1}",
                "{\"type\":\"tricky\\\"type\"}",
                "{\"type\":\"message_stop\"}");
        for (String one : data) {
            byte[] bytes = one.getBytes(StandardCharsets.UTF_8);
            RawEvent event = events.decode(bytes);
            assertThat(event.type()).as(one).isEqualTo(MAPPER.readTree(one).path("type").asText());
            assertThat(event.data()).isSameAs(bytes);
        }
        assertThat(events.decode(bytes("{\"type\":\"content_block_delta\"}")).type())
                .as("a known type is the one constant").isSameAs(RawEvent.KNOWN_TYPES.getFirst());
    }

    @Test
    void theStartAndTheDeltaAreDecodedForMeteringAndOpenNothingBeforeContent() {
        RawEvent start = events.decode(bytes("{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"usage\":"
                + "{\"input_tokens\":12,\"output_tokens\":1}}}"));
        RawEvent delta = events.decode(bytes("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
                + "\"usage\":{\"output_tokens\":7}}"));

        assertThat(start.decoded()).hasValueSatisfying(typed -> assertThat(((StreamEvent.MessageStart) typed)
                .message().usage().input()).isEqualTo(12));
        assertThat(delta.decoded()).hasValueSatisfying(typed -> assertThat(((StreamEvent.MessageDelta) typed)
                .delta().stopReason()).isEqualTo("end_turn"));
        assertThat(events.opens(start)).isFalse();
        assertThat(events.opens(events.decode(bytes("{\"type\": \"ping\"}")))).isFalse();
        assertThat(events.opens(delta)).isTrue();
        assertThat(events.opensAtItsEnd()).isFalse();
    }

    @Test
    void anErrorEventFailsWithItsTypeAndWhatIsNotAnEventIsACut() {
        assertThatThrownBy(() -> events.decode(bytes("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                + "\"message\":\"Overloaded\"}}"))).isInstanceOfSatisfying(AnthropicException.class, e -> {
                    assertThat(e.kind()).isEqualTo(AnthropicException.Kind.STREAM_ERROR);
                    assertThat(e.errorType()).contains("overloaded_error");
                });
        for (String broken : List.of("{\"typ", "[1]", "{\"type\":3}")) {
            assertThatThrownBy(() -> events.decode(bytes(broken))).as(broken)
                    .isInstanceOfSatisfying(AnthropicException.class,
                            e -> assertThat(e.kind()).isEqualTo(AnthropicException.Kind.INTERRUPTED));
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
