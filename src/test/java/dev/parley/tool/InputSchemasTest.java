package dev.parley.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import com.fasterxml.jackson.databind.JsonNode;

/** Schemas generated from input records: object schemas, in declaration order, with the required-ness rule. */
class InputSchemasTest {

    private final InputSchemas schemas = new InputSchemas();

    enum Unit {
        CELSIUS,
        FAHRENHEIT
    }

    record Line(@JsonPropertyDescription("Article number") String sku, int quantity) {
    }

    record Order(String customer, Optional<String> note, List<Line> lines, Unit unit, BigDecimal budget,
            Map<String, Integer> counts, boolean express) {
    }

    record Tree(String name, List<Tree> children) {
    }

    record Empty() {
    }

    @Test
    void everyComponentIsRequiredExceptOptionalOnesWhichMayBeNull() throws Exception {
        JsonNode schema = schemas.schemaOf(Order.class);

        assertThat(schema.path("required")).extracting(JsonNode::asText)
                .containsExactly("customer", "lines", "unit", "budget", "counts", "express");
        assertThat(schema.at("/properties/note/type")).hasToString("[\"string\",\"null\"]");
    }

    @Test
    void describesEveryKindOfComponentInDeclarationOrderAndForbidsUnknownProperties() throws Exception {
        String expected = """
                {"type":"object","properties":{\
                "customer":{"type":"string"},\
                "note":{"type":["string","null"]},\
                "lines":{"type":"array","items":{"type":"object","properties":{\
                "sku":{"type":"string","description":"Article number"},"quantity":{"type":"integer"}},\
                "required":["sku","quantity"],"additionalProperties":false}},\
                "unit":{"type":"string","enum":["CELSIUS","FAHRENHEIT"]},\
                "budget":{"type":"number"},\
                "counts":{"type":"object","additionalProperties":{"type":"integer"}},\
                "express":{"type":"boolean"}},\
                "required":["customer","lines","unit","budget","counts","express"],\
                "additionalProperties":false}""";

        assertThat(TestTools.MAPPER.writeValueAsString(schemas.schemaOf(Order.class))).isEqualTo(expected);
    }

    @Test
    void aRecordWithoutComponentsIsAnEmptyObject() {
        JsonNode schema = schemas.schemaOf(Empty.class);

        assertThat(schema.path("type").asText()).isEqualTo("object");
        assertThat(schema.has("$schema")).isFalse();
        assertThat(schema.path("required").size()).isZero();
    }

    @Test
    void onlyRecordsAreInputTypes() {
        assertThatThrownBy(() -> schemas.schemaOf(String.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("its input type must be a record, was java.lang.String");
        assertThatThrownBy(() -> schemas.schemaOf(null)).hasMessage("its input type must be a record, was null");
    }

    @Test
    void aRecursiveInputCannotBeDescribed() {
        assertThatThrownBy(() -> schemas.schemaOf(Tree.class)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("no JSON Schema can be generated for " + Tree.class.getName());
    }
}
