package dev.parley.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/** Reading a request's conversation: where the user last wrote text, and what tool results came back. */
final class Conversation {

    private Conversation() {
    }

    /** Index of the latest user message that contains text (not only tool results); -1 if there is none. */
    static int latestUserTextIndex(JsonNode request) {
        JsonNode messages = request.path("messages");
        for (int i = messages.size() - 1; i >= 0; i--) {
            JsonNode message = messages.get(i);
            if ("user".equals(message.path("role").asText()) && !text(message.path("content")).isEmpty()) {
                return i;
            }
        }
        return -1;
    }

    static Optional<String> latestUserText(JsonNode request) {
        int index = latestUserTextIndex(request);
        return index < 0
                ? Optional.empty()
                : Optional.of(text(request.path("messages").get(index).path("content")));
    }

    static boolean hasBlock(JsonNode message, String type) {
        for (JsonNode block : message.path("content")) {
            if (type.equals(block.path("type").asText())) {
                return true;
            }
        }
        return false;
    }

    /** A one-line echo of the tool results in the last message, so tests and demos can see what was sent back. */
    static Optional<String> toolResultsSummary(JsonNode request, int maxCharsEach) {
        JsonNode messages = request.path("messages");
        if (messages.isEmpty()) {
            return Optional.empty();
        }
        JsonNode last = messages.get(messages.size() - 1);
        if (!"user".equals(last.path("role").asText()) || !hasBlock(last, "tool_result")) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode block : last.path("content")) {
            if ("tool_result".equals(block.path("type").asText())) {
                String content = text(block.path("content"));
                if (content.length() > maxCharsEach) {
                    content = content.substring(0, maxCharsEach) + "…";
                }
                parts.add((block.path("is_error").asBoolean(false) ? "error " : "") + content);
            }
        }
        return Optional
                .of("Simulated answer based on " + parts.size() + " tool result(s): " + String.join("; ", parts));
    }

    /** The text of a message's or a tool result's content: the string itself, or its text blocks joined. */
    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode block : content) {
            if ("text".equals(block.path("type").asText())) {
                text.append(block.path("text").asText());
            }
        }
        return text.toString();
    }
}
