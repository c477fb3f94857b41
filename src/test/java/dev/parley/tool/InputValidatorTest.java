package dev.parley.tool;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The validator on schemas it did not generate (an MCP server's): what it reads it applies, and a keyword it does not
 * read never rejects an input the schema accepts.
 */
class InputValidatorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aServersSchemaIsAppliedWhereItUsesTheKeywordsItReads() {
        JsonNode schema = json("""
                {"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"]}""");

        assertThat(InputValidator.problems(schema, json("{\"a\":2,\"b\":3}"))).isEmpty();
        assertThat(InputValidator.problems(schema, json("{\"a\":\"two\"}"))).containsExactly(
                "property 'a' must be an integer, not a string", "missing required property 'b'");
        // No additionalProperties: JSON Schema allows any other property.
        assertThat(InputValidator.problems(schema, json("{\"a\":2,\"b\":3,\"c\":true}"))).isEmpty();
    }

    @Test
    void keywordsItDoesNotReadRejectNothing() {
        JsonNode schema = json("""
                {"type":"object","$defs":{"n":{"type":"number","minimum":0}},
                 "properties":{"when":{"type":"string","format":"date-time","pattern":"^2"},
                               "n":{"$ref":"#/$defs/n"},
                               "either":{"anyOf":[{"type":"string"},{"type":"integer"}]},
                               "tuple":{"type":"array","prefixItems":[{"type":"string"}],"items":false},
                               "flag":true},
                 "patternProperties":{"^x-":{"type":"string"}},
                 "additionalProperties":false}""");

        assertThat(InputValidator.problems(schema, json("""
                {"when":"2026-12-04T00:00:00Z","n":3,"either":7,"tuple":["a"],"flag":null,"x-extra":"kept"}""")))
                .isEmpty();
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
