package dev.parley.simulator;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.parley.simulator.Directives.ToolCallDirective;

/**
 * How the simulated model picks tools when no directive says: good enough for a demo, documented in the README, and
 * deterministic. An offered tool is called when the user's text contains the last word of its name (so
 * {@code get_stock_price} answers "prices", {@code get_current_time} answers "time") or its whole name. Its required
 * string properties are filled from the text: a ticker or symbol from each all-capitals word (one call per word, so
 * "AAPL and NVDA" makes two parallel calls), a time zone from an {@code Area/City} name (else UTC), an expression from
 * the arithmetic in the text; other properties from the schema's examples. A tool whose input cannot be filled is
 * not called.
 */
final class ToolCallHeuristics {

    private static final Pattern DIRECTIVE = Pattern.compile("\\[\\[sim:.*?]]", Pattern.DOTALL);
    private static final Pattern SYMBOL = Pattern.compile("\\b[A-Z]{2,5}\\b");
    private static final Pattern ZONE = Pattern.compile("\\b[A-Z][a-zA-Z]+/[A-Z][a-zA-Z_]+\\b");
    private static final Pattern EXPRESSION = Pattern.compile("[-(]*\\d[\\d\\s.+\\-*/^()]*[\\d)]");
    private static final Set<String> NOT_SYMBOLS = Set.of("AI", "API", "USD", "EUR", "OK", "UTC", "SIM");

    private ToolCallHeuristics() {
    }

    static List<ToolCallDirective> choose(JsonNode request, String text) {
        // Directives steer the simulator; they are not what the user said.
        String userText = DIRECTIVE.matcher(text).replaceAll(" ");
        List<ToolCallDirective> calls = new ArrayList<>();
        String lower = userText.toLowerCase(Locale.ROOT);
        for (JsonNode tool : request.path("tools")) {
            String name = tool.path("name").asText();
            if (mentions(lower, name)) {
                inputs(tool.path("input_schema"), userText)
                        .forEach(input -> calls.add(new ToolCallDirective(name, Optional.of(input.toString()))));
            }
        }
        return calls;
    }

    private static boolean mentions(String lowerText, String toolName) {
        String[] words = toolName.toLowerCase(Locale.ROOT).split("_");
        String last = words[words.length - 1];
        return lowerText.contains(toolName.toLowerCase(Locale.ROOT)) || lowerText.contains(toolName.replace('_', ' '))
                || (last.length() >= 3 && lowerText.contains(last));
    }

    /** One input per value of a symbol-like property, or exactly one input; none when a required value is missing. */
    private static List<ObjectNode> inputs(JsonNode schema, String text) {
        ObjectNode base = SimJson.MAPPER.createObjectNode();
        String symbolProperty = null;
        JsonNode required = schema.path("required");
        for (var property : (Iterable<java.util.Map.Entry<String, JsonNode>>) () -> schema.path("properties")
                .fields()) {
            String key = property.getKey();
            boolean isRequired = required.isArray() && required.toString().contains("\"" + key + "\"");
            String hint = (key + " " + property.getValue().path("description").asText()).toLowerCase(Locale.ROOT);
            if (hint.contains("ticker") || hint.contains("symbol")) {
                symbolProperty = key;
            } else if (hint.contains("zone")) {
                base.put(key, find(ZONE, text).orElse("UTC"));
            } else if (hint.contains("expression")) {
                Optional<String> expression = find(EXPRESSION, text).map(String::trim);
                if (expression.isEmpty() && isRequired) {
                    return List.of();
                }
                expression.ifPresent(value -> base.put(key, value));
            } else if (isRequired) {
                base.set(key, JsonSchemaExamples.example(property.getValue()));
            }
        }
        if (symbolProperty == null) {
            return List.of(base);
        }
        Set<String> symbols = new LinkedHashSet<>();
        Matcher matcher = SYMBOL.matcher(text);
        while (matcher.find()) {
            if (!NOT_SYMBOLS.contains(matcher.group())) {
                symbols.add(matcher.group());
            }
        }
        List<ObjectNode> inputs = new ArrayList<>();
        for (String symbol : symbols) {
            inputs.add(base.deepCopy().put(symbolProperty, symbol));
        }
        return inputs;
    }

    private static Optional<String> find(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        return matcher.find() ? Optional.of(matcher.group()) : Optional.empty();
    }
}
