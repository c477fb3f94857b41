package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.vertx.core.buffer.Buffer;

/** The event-stream reader, fed the way a network delivers: in chunks that split lines and line ends anywhere. */
class SseDataReaderTest {

    private static final String STREAM = """
            event: message_start
            data: {"type":"message_start"}

            : a comment
            event: content_block_delta
            id: 7
            retry: 100
            data: {"type":"content_block_delta","delta":{"text":"héllo 🌍"}}

            event: ping
            data:{"type":"ping"}

            """;

    private static final List<String> EVENTS = List.of("{\"type\":\"message_start\"}",
            "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"héllo 🌍\"}}", "{\"type\":\"ping\"}");

    @Test
    void handsOnTheDataOfEachEventWhereverTheChunksSplitIt() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split <= bytes.length; split++) {
            assertThat(read(slice(bytes, 0, split), slice(bytes, split, bytes.length))).as("split at %d", split)
                    .isEqualTo(EVENTS);
        }
    }

    @Test
    void acceptsEveryLineEndTheStandardAllows() {
        for (String end : List.of("\r\n", "\r")) {
            byte[] bytes = STREAM.replace("\n", end).getBytes(StandardCharsets.UTF_8);
            for (int split = 0; split <= bytes.length; split++) {
                assertThat(read(slice(bytes, 0, split), slice(bytes, split, bytes.length)))
                        .as("%s, split at %d", end.equals("\r") ? "CR" : "CRLF", split).isEqualTo(EVENTS);
            }
        }
    }

    @Test
    void oneByteAtATime() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        List<byte[]> chunks = new ArrayList<>();
        for (int i = 0; i < bytes.length; i++) {
            chunks.add(slice(bytes, i, i + 1));
        }
        assertThat(read(chunks.toArray(byte[][]::new))).isEqualTo(EVENTS);
    }

    @Test
    void joinsDataLinesWithLineFeedsAndDropsAnEventTheBodyCutOff() {
        assertThat(read("data: first\ndata:  second\n\ndata: never dispatched\n".getBytes(StandardCharsets.UTF_8)))
                .containsExactly("first\n second");
    }

    @Test
    void ignoresBlankLinesWithoutDataAndFieldsThatOnlyStartLikeData() {
        assertThat(read("\n\ndatum: no\ndata\n\n".getBytes(StandardCharsets.UTF_8))).containsExactly("");
    }

    private static List<String> read(byte[]... chunks) {
        List<String> events = new ArrayList<>();
        SseDataReader reader = new SseDataReader(data -> events.add(new String(data, StandardCharsets.UTF_8)));
        for (byte[] chunk : chunks) {
            reader.feed(Buffer.buffer(chunk));
        }
        return events;
    }

    private static byte[] slice(byte[] bytes, int from, int to) {
        return java.util.Arrays.copyOfRange(bytes, from, to);
    }
}
