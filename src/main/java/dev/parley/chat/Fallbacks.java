package dev.parley.chat;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;

/** A profile's server-side fallback as the request's {@code fallbacks}: {@code "default"} or {@code [{"model":…}]}. */
final class Fallbacks {

    private Fallbacks() {
    }

    static JsonNode json(List<String> models) {
        if (models.isEmpty()) {
            return null;
        }
        if (models.equals(List.of("default"))) {
            return TextNode.valueOf("default");
        }
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        models.forEach(model -> list.addObject().put("model", model));
        return list;
    }
}
