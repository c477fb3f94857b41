package dev.parley.frontdoor;

import java.io.IOException;
import java.util.Iterator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A client's message as it goes to a model of its caller's fallback chain: the same body with that {@code model},
 * without the API's server-side {@code fallbacks} (a message parley moved is not moved again by the API), and without
 * the thinking blocks of earlier assistant turns, which are bound to the model that made them. Everything else goes as
 * the client wrote it.
 */
final class FallbackBodies {

    /** Tree work only, so nothing needs registering for native images. */
    private static final ObjectMapper TREES = new ObjectMapper();

    private FallbackBodies() {
    }

    static byte[] forModel(JsonNode tree, String model) {
        ObjectNode body = tree.deepCopy();
        body.put("model", model);
        body.remove("fallbacks");
        for (JsonNode message : body.path("messages")) {
            if (message.path("role").asText().equals("assistant") && message.path("content").isArray()) {
                ArrayNode content = (ArrayNode) message.path("content");
                for (Iterator<JsonNode> blocks = content.elements(); blocks.hasNext();) {
                    String type = blocks.next().path("type").asText();
                    if (type.equals("thinking") || type.equals("redacted_thinking")) {
                        blocks.remove();
                    }
                }
                if (content.isEmpty()) {
                    // A turn of thinking alone keeps its place: the roles must still alternate.
                    content.addObject().put("type", "text").put("text", "…");
                }
            }
        }
        try {
            return TREES.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("a parsed body could not be written again", e);
        }
    }
}
