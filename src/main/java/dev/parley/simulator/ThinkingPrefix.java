package dev.parley.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The prefix a thinking block is bound to (§9): the system prompt, the tools and the messages before the block's own,
 * as a digest (the model that made the block is in its signature). What does not change what the model saw is left out: cache breakpoints (a
 * client moves them every round), and the difference between a string and a single text block.
 */
final class ThinkingPrefix {

    private ThinkingPrefix() {
    }

    /** The digest of {@code request}'s prefix up to (not including) message {@code messageIndex}. */
    static String of(JsonNode request, int messageIndex) {
        ObjectNode prefix = SimJson.MAPPER.createObjectNode();
        prefix.set("system", blocks(request.path("system")));
        ArrayNode tools = prefix.putArray("tools");
        request.path("tools").forEach(tool -> tools.add(withoutCacheControl(tool)));
        ArrayNode messages = prefix.putArray("messages");
        JsonNode sent = request.path("messages");
        for (int i = 0; i < Math.min(messageIndex, sent.size()); i++) {
            JsonNode message = sent.get(i);
            messages.addObject().put("role", message.path("role").asText()).set("content",
                    blocks(message.path("content")));
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(prefix.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Content (or a system prompt) as a list of blocks without cache breakpoints; a string is one text block. */
    private static ArrayNode blocks(JsonNode content) {
        ArrayNode blocks = SimJson.MAPPER.createArrayNode();
        if (content.isTextual()) {
            blocks.addObject().put("type", "text").put("text", content.asText());
        } else {
            content.forEach(block -> blocks.add(withoutCacheControl(block)));
        }
        return blocks;
    }

    private static JsonNode withoutCacheControl(JsonNode block) {
        if (!block.isObject() || !block.has("cache_control")) {
            return block;
        }
        ObjectNode copy = ((ObjectNode) block).deepCopy();
        copy.remove("cache_control");
        return copy;
    }
}
