package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The fold of §2: events in, the message out. Events are decoded from the wire shapes of the reference. */
class MessageAccumulatorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void textToolUseAndUsageFoldIntoTheMessage() {
        MessageAccumulator accumulator = fold(List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-6\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":412,\"cache_creation_input_tokens\":10,\"cache_read_input_tokens\":20,\"cache_creation\":{\"ephemeral_5m_input_tokens\":4,\"ephemeral_1h_input_tokens\":6},\"output_tokens\":3}}}",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me \"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"look.\"}}",
                "{\"type\":\"content_block_stop\",\"index\":0}",
                "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{}}}",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"Os\"}}",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"lo\\\"}\"}}",
                "{\"type\":\"content_block_stop\",\"index\":1}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":412,\"cache_creation_input_tokens\":10,\"cache_read_input_tokens\":20,\"output_tokens\":71}}",
                "{\"type\":\"message_stop\"}"));

        Message message = accumulator.message();
        assertThat(accumulator.complete()).isTrue();
        assertThat(message.text()).isEqualTo("Let me look.");
        assertThat(message.stopReason()).isEqualTo("tool_use");
        ContentBlock.ToolUse tool = (ContentBlock.ToolUse) message.content().get(1);
        assertThat(tool.name()).isEqualTo("get_weather");
        assertThat(tool.input().toString()).isEqualTo("{\"city\":\"Oslo\"}");
        Usage usage = accumulator.usage();
        assertThat(usage.input()).isEqualTo(412);
        assertThat(usage.output()).isEqualTo(71);
        assertThat(usage.cacheRead()).isEqualTo(20);
        assertThat(usage.cacheWrite5m()).isEqualTo(4);
        assertThat(usage.cacheWrite1h()).isEqualTo(6);
    }

    @Test
    void legacyMessageDeltaWithOnlyOutputTokensKeepsTheInputCounters() {
        MessageAccumulator accumulator = fold(List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"model\":\"m\",\"content\":[],\"usage\":{\"input_tokens\":14,\"cache_read_input_tokens\":5,\"output_tokens\":1}}}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":10}}",
                "{\"type\":\"message_stop\"}"));
        assertThat(accumulator.usage().input()).isEqualTo(14);
        assertThat(accumulator.usage().cacheRead()).isEqualTo(5);
        assertThat(accumulator.usage().output()).isEqualTo(10);
    }

    @Test
    void emptyToolInputIsAnEmptyObjectAndUnfinishedInputIsNull() {
        MessageAccumulator accumulator = fold(List.of(
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"now\",\"input\":{}}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}",
                "{\"type\":\"content_block_stop\",\"index\":0}",
                "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t2\",\"name\":\"calc\",\"input\":{}}}",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"expr\\\": \\\"1 +\"}}",
                "{\"type\":\"content_block_stop\",\"index\":1}"));
        List<ContentBlock> content = accumulator.message().content();
        assertThat(((ContentBlock.ToolUse) content.get(0)).input().toString()).isEqualTo("{}");
        assertThat(((ContentBlock.ToolUse) content.get(1)).input()).isNull();
        assertThat(accumulator.complete()).isFalse();
    }

    @Test
    void thinkingKeepsItsSignatureAndUnknownBlocksAndEventsPassUntouched() throws Exception {
        MessageAccumulator accumulator = fold(List.of(
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Hmm.\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"sig==\"}}",
                "{\"type\":\"content_block_stop\",\"index\":0}",
                "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_1\",\"content\":[]}}",
                "{\"type\":\"content_block_stop\",\"index\":1}",
                "{\"type\":\"some_future_event\",\"anything\":true}"));
        List<ContentBlock> content = accumulator.message().content();
        assertThat(content.get(0)).isEqualTo(new ContentBlock.Thinking("Hmm.", "sig=="));
        // Sent back to the API exactly as it came.
        assertThat(MAPPER.writeValueAsString(content.get(1)))
                .isEqualTo("{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_1\",\"content\":[]}");
    }

    @Test
    void completedBlockIsReturnedAtItsStop() throws Exception {
        MessageAccumulator accumulator = new MessageAccumulator();
        accumulator.accept(event(
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
        assertThat(accumulator.accept(event(
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}")))
                .isEmpty();
        Optional<ContentBlock> done = accumulator.accept(event("{\"type\":\"content_block_stop\",\"index\":0}"));
        assertThat(done).contains(new ContentBlock.Text("Hi"));
    }

    private static MessageAccumulator fold(List<String> events) {
        MessageAccumulator accumulator = new MessageAccumulator();
        events.forEach(json -> accumulator.accept(event(json)));
        return accumulator;
    }

    private static StreamEvent event(String json) {
        try {
            return MAPPER.readValue(json, StreamEvent.class);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }
}
