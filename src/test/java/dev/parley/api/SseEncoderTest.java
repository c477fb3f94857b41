package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.parley.chat.ChatEvent;

/** Text frames are written by hand for speed; they must be exactly what the ObjectMapper would write. */
class SseEncoderTest {

    private final ObjectMapper mapper = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"Hell", " worl", "", "say \"hi\"", "back\\slash", "line\nbreak\r\ttab",
            "\u0000\u001f\u007f",
            "caf\u00e9 \u65e5\u672c \ud83d\ude00", "</script>", "\u2028\u2029"})
    void textFrameIsTheMappersJson(String text) throws JsonProcessingException {
        String frame = new SseEncoder(mapper, "turn").encode(new ChatEvent.TextChunk(text));

        // What the mapper wrote for the {type, text} record this replaced.
        assertThat(frame).isEqualTo(
                "id: 2\nevent: text\ndata: {\"type\":\"text\",\"text\":" + mapper.writeValueAsString(text) + "}\n\n");
        assertThat(mapper.readTree(frame.substring(frame.indexOf("data: ") + 6)).get("text").asText())
                .isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void idsCountUpAcrossFrames(int frames) {
        SseEncoder encoder = new SseEncoder(mapper, "turn");
        String last = "";
        for (int i = 0; i < frames; i++) {
            last = encoder.encode(new ChatEvent.TextChunk("x"));
        }
        // id 1 is kept for the start event, whenever it is written.
        assertThat(last).startsWith("id: " + (frames + 1) + "\nevent: text\n");
        assertThat(encoder.start(true)).isEqualTo("id: 1\nevent: start\ndata: {\"type\":\"start\",\"turnId\":\"turn\","
                + "\"resumable\":true}\n\n");
    }
}
