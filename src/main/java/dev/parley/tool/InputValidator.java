package dev.parley.tool;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Checks a model's tool input against the schema the model was given, and says in words the model can act on what is
 * wrong. It reads the keywords the generator writes ({@code type}, {@code properties}, {@code required},
 * {@code additionalProperties}, {@code items}, {@code enum}); anything finer (a {@code format}, a number out of range
 * of an {@code int}) is left to Jackson, whose failure is reported too. Interpreting the very schema the model was
 * given keeps the required-ness rule in one place.
 * <p>
 * An MCP server's schema is the server's own and may use any keyword of JSON Schema. A keyword this class does not
 * read ({@code anyOf}, {@code $ref}, {@code minimum}, {@code pattern}, …) constrains nothing here, so it never rejects
 * an input the schema accepts; the server checks the rest. {@code additionalProperties} is not applied where
 * {@code patternProperties} could admit a property.
 */
final class InputValidator {

    /** More problems than this are not listed: the model gets the first ones and the count. */
    static final int MAX_PROBLEMS = 10;
    /** Property names come from the model: only this much of one is repeated back. */
    private static final int SHOWN_NAME_LENGTH = 64;

    private InputValidator() {
    }

    /** The problems of an input, in a stable order; empty when it conforms. */
    static List<String> problems(JsonNode schema, JsonNode input) {
        List<String> problems = new ArrayList<>();
        check(schema, input, "", problems);
        return problems;
    }

    /** The problems as one message: the first {@link #MAX_PROBLEMS}, separated by semicolons. */
    static String describe(List<String> problems) {
        String shown = problems.stream().limit(MAX_PROBLEMS).collect(Collectors.joining("; "));
        return problems.size() > MAX_PROBLEMS
                ? shown + "; and " + (problems.size() - MAX_PROBLEMS) + " more problems"
                : shown;
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> problems) {
        JsonNode type = schema.get("type");
        if (type != null && !hasType(type, value)) {
            problems.add(subject(path) + " must be " + expected(type) + ", not " + kind(value));
            return;
        }
        JsonNode allowed = schema.get("enum");
        if (allowed != null && allowed.isArray() && !contains(allowed, value)) {
            problems.add(subject(path) + " must be one of " + StreamSupport.stream(allowed.spliterator(), false)
                    .map(JsonNode::toString).collect(Collectors.joining(", ")));
            return;
        }
        if (value.isObject()) {
            checkObject(schema, value, path, problems);
        } else if (value.isArray() && schema.get("items") instanceof JsonNode items && items.isObject()) {
            for (int i = 0; i < value.size(); i++) {
                check(items, value.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    private static void checkObject(JsonNode schema, JsonNode value, String path, List<String> problems) {
        JsonNode properties = schema.path("properties");
        JsonNode required = schema.path("required");
        for (Map.Entry<String, JsonNode> property : properties.properties()) {
            JsonNode present = value.get(property.getKey());
            if (present != null) {
                check(property.getValue(), present, child(path, property.getKey()), problems);
            } else if (contains(required, property.getKey())) {
                problems.add("missing required property '" + child(path, property.getKey()) + "'");
            }
        }
        JsonNode additional = schema.has("patternProperties") ? null : schema.get("additionalProperties");
        for (Map.Entry<String, JsonNode> field : value.properties()) {
            if (properties.has(field.getKey())) {
                continue;
            }
            if (additional != null && additional.isBoolean() && !additional.asBoolean()) {
                problems.add("unknown property '" + child(path, shown(field.getKey())) + "'");
            } else if (additional != null && additional.isObject()) {
                check(additional, field.getValue(), child(path, shown(field.getKey())), problems);
            }
        }
    }

    private static boolean hasType(JsonNode type, JsonNode value) {
        if (type.isArray()) {
            for (JsonNode one : type) {
                if (hasType(one, value)) {
                    return true;
                }
            }
            return false;
        }
        return switch (type.asText()) {
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            case "string" -> value.isTextual();
            case "boolean" -> value.isBoolean();
            case "number" -> value.isNumber();
            // JSON Schema counts 2.0 as an integer; so does Jackson when it reads it into an int.
            case "integer" -> value.isIntegralNumber()
                    || value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0;
            case "null" -> value.isNull();
            default -> true; // not a type the generator writes: leave it to Jackson
        };
    }

    private static String expected(JsonNode type) {
        if (type.isArray()) {
            return StreamSupport.stream(type.spliterator(), false).map(InputValidator::expected)
                    .collect(Collectors.joining(" or "));
        }
        return switch (type.asText()) {
            case "object" -> "an object";
            case "array" -> "an array";
            case "integer" -> "an integer";
            case "null" -> "null";
            default -> "a " + type.asText();
        };
    }

    private static String kind(JsonNode value) {
        return switch (value.getNodeType()) {
            case OBJECT, POJO -> "an object";
            case ARRAY -> "an array";
            case STRING, BINARY -> "a string";
            case BOOLEAN -> "a boolean";
            case NUMBER -> "a number";
            case NULL, MISSING -> "null";
        };
    }

    private static boolean contains(JsonNode array, Object wanted) {
        if (!array.isArray()) {
            return false;
        }
        for (JsonNode element : array) {
            if (wanted instanceof String text
                    ? element.isTextual() && element.asText().equals(text)
                    : element.equals(wanted)) {
                return true;
            }
        }
        return false;
    }

    private static String subject(String path) {
        return path.isEmpty() ? "the input" : "property '" + path + "'";
    }

    private static String child(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** A model-made name, made safe to repeat back: bounded, without control characters. */
    static String shown(String text) {
        if (text == null) {
            return "";
        }
        String bounded = text.length() > SHOWN_NAME_LENGTH ? text.substring(0, SHOWN_NAME_LENGTH) + "…" : text;
        return bounded.replaceAll("\\p{Cntrl}", "?");
    }
}
