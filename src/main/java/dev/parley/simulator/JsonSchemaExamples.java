package dev.parley.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Makes up a tool input that satisfies a JSON schema, for tool calls whose directive gives no input. */
final class JsonSchemaExamples {

    private JsonSchemaExamples() {
    }

    static JsonNode example(JsonNode schema) {
        if (schema.has("enum") && !schema.path("enum").isEmpty()) {
            return schema.path("enum").get(0);
        }
        if (schema.has("default")) {
            return schema.get("default");
        }
        return switch (schema.path("type").asText("object")) {
            case "string" -> SimJson.MAPPER.getNodeFactory().textNode("example");
            case "integer" -> SimJson.MAPPER.getNodeFactory().numberNode(1);
            case "number" -> SimJson.MAPPER.getNodeFactory().numberNode(1.5);
            case "boolean" -> SimJson.MAPPER.getNodeFactory().booleanNode(true);
            case "array" -> SimJson.MAPPER.createArrayNode().add(example(schema.path("items")));
            case "null" -> SimJson.MAPPER.getNodeFactory().nullNode();
            default -> objectExample(schema);
        };
    }

    private static ObjectNode objectExample(JsonNode schema) {
        ObjectNode example = SimJson.MAPPER.createObjectNode();
        JsonNode required = schema.path("required");
        schema.path("properties").fields().forEachRemaining(property -> {
            boolean isRequired = !required.isArray() || required.toString().contains("\"" + property.getKey() + "\"");
            if (isRequired) {
                example.set(property.getKey(), example(property.getValue()));
            }
        });
        return example;
    }
}
