package dev.parley.tool;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.victools.jsonschema.generator.MemberScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jackson.JacksonModule;

/**
 * Generates the JSON Schema of a tool's input record with victools jsonschema-generator. victools rather than
 * Jackson's own jackson-module-jsonSchema: that module is deprecated and stuck at draft 3, while victools is actively
 * kept, understands records, writes draft 2020-12 and reads Jackson's annotations ({@code @JsonPropertyDescription},
 * {@code @JsonProperty}, {@code @JsonIgnore}) through its Jackson module, so the schema describes exactly what Jackson
 * will read.
 * <p>
 * The required-ness rule, shared with {@link InputValidator} through the schema itself: every record component is a
 * required property unless its type is {@code Optional<…>}, which may be absent or {@code null}. Unknown properties
 * are forbidden ({@code additionalProperties: false}). Every schema is inlined (no {@code $ref}), so a recursive input
 * type cannot be described and fails the start-up.
 */
final class InputSchemas {

    private final SchemaGenerator generator;

    InputSchemas() {
        SchemaGeneratorConfigBuilder config = new SchemaGeneratorConfigBuilder(SchemaVersion.DRAFT_2020_12,
                OptionPreset.PLAIN_JSON)
                .with(new JacksonModule())
                .with(Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT, Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES,
                        Option.FLATTENED_OPTIONALS, Option.INLINE_ALL_SCHEMAS)
                // The Messages API wants a plain object schema; the draft is implied.
                .without(Option.SCHEMA_VERSION_INDICATOR);
        config.forFields().withRequiredCheck(field -> !field.getType().isInstanceOf(Optional.class));
        // Properties in the order the record declares them (the order a person reads them in), not alphabetical.
        config.forTypesInGeneral().withPropertySorter(InputSchemas::compareByDeclaration);
        this.generator = new SchemaGenerator(config.build());
    }

    /**
     * The schema of an input record: an object schema without {@code $schema}.
     *
     * @throws IllegalArgumentException when the type is not a record or cannot be described
     */
    ObjectNode schemaOf(Class<?> inputType) {
        if (inputType == null || !inputType.isRecord()) {
            throw new IllegalArgumentException("its input type must be a record, was "
                    + (inputType == null ? "null" : inputType.getName()));
        }
        JsonNode generated;
        try {
            generated = generator.generateSchema(inputType);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("no JSON Schema can be generated for " + inputType.getName() + ": "
                    + e.getMessage(), e);
        }
        if (!(generated instanceof ObjectNode schema) || !"object".equals(schema.path("type").asText())) {
            throw new IllegalArgumentException("the JSON Schema of " + inputType.getName()
                    + " is not an object schema: " + generated);
        }
        schema.remove("$schema");
        return schema;
    }

    private static int compareByDeclaration(MemberScope<?, ?> first, MemberScope<?, ?> second) {
        return Integer.compare(declarationIndex(first), declarationIndex(second));
    }

    private static int declarationIndex(MemberScope<?, ?> member) {
        RecordComponent[] components = member.getDeclaringType().getErasedType().getRecordComponents();
        if (components == null) {
            return Integer.MAX_VALUE;
        }
        List<String> names = Arrays.stream(components).map(RecordComponent::getName).toList();
        int index = names.indexOf(member.getDeclaredName());
        return index < 0 ? Integer.MAX_VALUE : index;
    }
}
