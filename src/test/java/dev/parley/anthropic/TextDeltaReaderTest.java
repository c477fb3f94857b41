package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The shortcut for text deltas: it reads the usual shape, and whatever it returns is what the binding returns. */
class TextDeltaReaderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final TextDeltaReader reader = new TextDeltaReader(MAPPER.getFactory());

    @Test
    void readsTheUsualShapeWithEveryEscape() {
        String data = """
                {"type":"content_block_delta","index":2,"delta":{"type":"text_delta",\
                "text":"a \\"quote\\", a\\nnew line, \\u00e9, \\ud83c\\udf0d, é 🌍 \\\\ \\/"}}""";
        assertThat(reader.read(bytes(data))).isEqualTo(new StreamEvent.ContentBlockDelta(2,
                new Delta.TextDelta("a \"quote\", a\nnew line, é, 🌍, é 🌍 \\ /")));
    }

    @Test
    void agreesWithTheBindingOrLeavesTheEventToIt() throws Exception {
        List<String> events = List.of(
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}",
                " { \"type\" : \"content_block_delta\" , \"index\" : 1 ,\n \"delta\" : { \"type\" : \"text_delta\" ,"
                        + " \"text\" : \"\" } } ",
                "{\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"order\"},\"index\":0}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"text\":\"x\",\"type\":\"text_delta\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\","
                        + "\"extra\":1}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"extra\":[1],\"delta\":{\"type\":\"text_delta\","
                        + "\"text\":\"x\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
                        + "\"partial_json\":\"{\\\"a\\\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\","
                        + "\"thinking\":\"hm\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"index\":1,\"delta\":{\"type\":\"text_delta\","
                        + "\"text\":\"dup\"}}",
                "{\"type\":\"content_block_delta\",\"index\":3000000000,\"delta\":{\"type\":\"text_delta\","
                        + "\"text\":\"big\"}}",
                "{\"type\":\"ping\"}",
                "{\"type\":\"message_stop\"}",
                "{\"index\":0,\"type\":\"content_block_delta\",\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}} "
                        + "trailing");
        for (String data : events) {
            StreamEvent.ContentBlockDelta shortcut = reader.read(bytes(data));
            if (shortcut != null) {
                assertThat(shortcut).as(data).isEqualTo(MAPPER.readValue(data, StreamEvent.class));
            }
        }
        assertThat(events.stream().map(data -> reader.read(bytes(data))).filter(event -> event != null).count())
                .as("the usual shape, with spaces, and with index after delta").isEqualTo(3);
    }

    @Test
    void leavesInvalidJsonToTheBinding() {
        assertThat(reader.read(bytes("{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"))).isNull();
        assertThat(reader.read(bytes(""))).isNull();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
