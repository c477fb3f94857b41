package dev.parley.anthropic;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The payload of a {@code content_block_delta} (§2.2). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type", defaultImpl = Delta.Unknown.class)
@JsonSubTypes({
        @JsonSubTypes.Type(value = Delta.TextDelta.class, name = "text_delta"),
        @JsonSubTypes.Type(value = Delta.InputJsonDelta.class, name = "input_json_delta"),
        @JsonSubTypes.Type(value = Delta.ThinkingDelta.class, name = "thinking_delta"),
        @JsonSubTypes.Type(value = Delta.SignatureDelta.class, name = "signature_delta"),
        @JsonSubTypes.Type(value = Delta.CitationsDelta.class, name = "citations_delta")})
@RegisterForReflection
public sealed interface Delta {

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record TextDelta(String text) implements Delta {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record InputJsonDelta(String partialJson) implements Delta {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record ThinkingDelta(String thinking) implements Delta {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record SignatureDelta(String signature) implements Delta {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record CitationsDelta(JsonNode citation) implements Delta {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record Unknown() implements Delta {
    }
}
