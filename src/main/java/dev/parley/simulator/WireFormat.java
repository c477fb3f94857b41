package dev.parley.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.parley.simulator.PlannedReply.Block;
import dev.parley.simulator.PlannedReply.FallbackBlock;
import dev.parley.simulator.PlannedReply.RedactedThinkingBlock;
import dev.parley.simulator.PlannedReply.TextBlock;
import dev.parley.simulator.PlannedReply.ThinkingBlock;
import dev.parley.simulator.PlannedReply.ToolUseBlock;
import dev.parley.simulator.PromptAccounting.InputUsage;

/** The JSON shapes of the Messages API (§1.4, §2, §3.2), built as trees so field order matches the real API. */
final class WireFormat {

    /** The exact payload of a real ping, space included. */
    static final String PING_FRAME = "event: ping\ndata: {\"type\": \"ping\"}\n\n";

    private WireFormat() {
    }

    static String frame(String event, JsonNode data) {
        return "event: " + event + "\ndata: " + data.toString() + "\n\n";
    }

    static ObjectNode errorBody(String type, String message, String requestId) {
        ObjectNode body = SimJson.MAPPER.createObjectNode();
        body.put("type", "error");
        body.putObject("error").put("type", type).put("message", message);
        body.put("request_id", requestId);
        return body;
    }

    /** The full message, as a non-streaming response returns it. */
    static ObjectNode message(String id, String model, PlannedReply reply, InputUsage input) {
        ObjectNode message = messageHead(id, model);
        ArrayNode content = message.putArray("content");
        for (Block block : reply.blocks()) {
            content.add(completeBlock(block));
        }
        message.put("stop_reason", reply.stopReason());
        message.put("stop_sequence", reply.stopSequence());
        if (reply.refusal() != null) {
            message.set("stop_details", stopDetails(reply.refusal()));
        }
        ObjectNode usage = usage(input, reply.outputTokens(), reply.thinkingTokens());
        iterations(usage, reply);
        message.set("usage", usage);
        return message;
    }

    /** {@code message_start}: the message with no content yet and a small provisional output count. */
    static ObjectNode messageStart(String id, String model, InputUsage input, long provisionalOutput) {
        ObjectNode message = messageHead(id, model);
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        message.set("usage", usage(input, provisionalOutput, 0));
        ObjectNode event = SimJson.MAPPER.createObjectNode();
        event.put("type", "message_start");
        event.set("message", message);
        return event;
    }

    /** The block as {@code content_block_start} announces it, before any delta. */
    static ObjectNode initialBlock(Block block) {
        ObjectNode node = SimJson.MAPPER.createObjectNode();
        switch (block) {
            case TextBlock text -> node.put("type", "text").put("text", "");
            case ThinkingBlock thinking -> node.put("type", "thinking").put("thinking", "").put("signature", "");
            case RedactedThinkingBlock redacted -> node.put("type", "redacted_thinking").put("data", redacted.data());
            case FallbackBlock fallback -> {
                node.put("type", "fallback");
                node.putObject("from").put("model", fallback.from());
                node.putObject("to").put("model", fallback.to());
                node.putObject("trigger").put("type", "refusal").put("category", fallback.category());
            }
            case ToolUseBlock tool -> {
                node.put("type", "tool_use").put("id", tool.id()).put("name", tool.name());
                node.putObject("input");
                node.putObject("caller").put("type", "direct");
            }
        }
        return node;
    }

    static ObjectNode blockStart(int index, Block block) {
        ObjectNode event = SimJson.MAPPER.createObjectNode();
        event.put("type", "content_block_start");
        event.put("index", index);
        event.set("content_block", initialBlock(block));
        return event;
    }

    static ObjectNode delta(int index, String deltaType, String field, String value) {
        ObjectNode event = SimJson.MAPPER.createObjectNode();
        event.put("type", "content_block_delta");
        event.put("index", index);
        event.putObject("delta").put("type", deltaType).put(field, value);
        return event;
    }

    static ObjectNode blockStop(int index) {
        return SimJson.MAPPER.createObjectNode().put("type", "content_block_stop").put("index", index);
    }

    /** {@code message_delta} with cumulative usage: every counter, or only {@code output_tokens} in legacy form. */
    static ObjectNode messageDelta(PlannedReply reply, InputUsage input, boolean legacyUsage) {
        ObjectNode event = SimJson.MAPPER.createObjectNode();
        event.put("type", "message_delta");
        ObjectNode delta = event.putObject("delta");
        delta.put("stop_reason", reply.stopReason());
        delta.put("stop_sequence", reply.stopSequence());
        if (reply.refusal() != null) {
            delta.set("stop_details", stopDetails(reply.refusal()));
        }
        ObjectNode usage = event.putObject("usage");
        if (!legacyUsage) {
            usage.put("input_tokens", input.inputTokens());
            usage.put("cache_creation_input_tokens", input.cacheCreation());
            usage.put("cache_read_input_tokens", input.cacheRead());
        }
        usage.put("output_tokens", reply.outputTokens());
        if (!legacyUsage && reply.thinkingTokens() > 0) {
            usage.putObject("output_tokens_details").put("thinking_tokens", reply.thinkingTokens());
        }
        if (!legacyUsage) {
            iterations(usage, reply);
        }
        return event;
    }

    static ObjectNode messageStop() {
        return SimJson.MAPPER.createObjectNode().put("type", "message_stop");
    }

    private static ObjectNode messageHead(String id, String model) {
        ObjectNode message = SimJson.MAPPER.createObjectNode();
        message.put("id", id);
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", model);
        return message;
    }

    private static ObjectNode completeBlock(Block block) {
        ObjectNode node = initialBlock(block);
        switch (block) {
            case TextBlock text -> node.put("text", text.text());
            case ThinkingBlock thinking -> node.put("thinking", thinking.thinking()).put("signature",
                    thinking.signature());
            case RedactedThinkingBlock redacted -> {
            }
            case FallbackBlock fallback -> {
            }
            case ToolUseBlock tool -> {
                if (tool.complete()) {
                    node.set("input", tool.input());
                }
            }
        }
        return node;
    }

    private static ObjectNode usage(InputUsage input, long outputTokens, long thinkingTokens) {
        ObjectNode usage = SimJson.MAPPER.createObjectNode();
        usage.put("input_tokens", input.inputTokens());
        usage.put("cache_creation_input_tokens", input.cacheCreation());
        usage.put("cache_read_input_tokens", input.cacheRead());
        usage.putObject("cache_creation")
                .put("ephemeral_5m_input_tokens", input.cacheWrite5m())
                .put("ephemeral_1h_input_tokens", input.cacheWrite1h());
        usage.put("output_tokens", outputTokens);
        if (thinkingTokens > 0) {
            usage.putObject("output_tokens_details").put("thinking_tokens", thinkingTokens);
        }
        usage.put("service_tier", "standard");
        return usage;
    }

    private static ObjectNode stopDetails(PlannedReply.Refusal refusal) {
        ObjectNode details = SimJson.MAPPER.createObjectNode();
        details.put("type", "refusal");
        details.put("category", refusal.category());
        details.put("explanation", refusal.explanation());
        return details;
    }

    /** {@code usage.iterations} of a request the server-side fallback moved: one entry per hop, in order. */
    private static void iterations(ObjectNode usage, PlannedReply reply) {
        if (reply.iterations().isEmpty()) {
            return;
        }
        ArrayNode iterations = usage.putArray("iterations");
        for (PlannedReply.Iteration hop : reply.iterations()) {
            ObjectNode entry = iterations.addObject();
            entry.put("type", hop.type());
            entry.put("model", hop.model());
            entry.put("input_tokens", hop.input().inputTokens());
            entry.put("cache_creation_input_tokens", hop.input().cacheCreation());
            entry.put("cache_read_input_tokens", hop.input().cacheRead());
            entry.putObject("cache_creation")
                    .put("ephemeral_5m_input_tokens", hop.input().cacheWrite5m())
                    .put("ephemeral_1h_input_tokens", hop.input().cacheWrite1h());
            entry.put("output_tokens", hop.outputTokens());
        }
    }
}
