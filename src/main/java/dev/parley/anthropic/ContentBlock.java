package dev.parley.anthropic;

import java.io.IOException;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A content block of a message, in requests and responses (§1.3, §1.4). Blocks parley does not model (server tool
 * blocks, citations, future types) are kept verbatim as {@link Unknown}, so an assistant turn can always be sent back
 * unchanged and a new block type never breaks a stream.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type", visible = true, defaultImpl = ContentBlock.Unknown.class)
@JsonSubTypes({
        @JsonSubTypes.Type(value = ContentBlock.Text.class, name = "text"),
        @JsonSubTypes.Type(value = ContentBlock.Image.class, name = "image"),
        @JsonSubTypes.Type(value = ContentBlock.Document.class, name = "document"),
        @JsonSubTypes.Type(value = ContentBlock.ToolUse.class, name = "tool_use"),
        @JsonSubTypes.Type(value = ContentBlock.ToolResult.class, name = "tool_result"),
        @JsonSubTypes.Type(value = ContentBlock.Thinking.class, name = "thinking"),
        @JsonSubTypes.Type(value = ContentBlock.RedactedThinking.class, name = "redacted_thinking")})
@RegisterForReflection
public sealed interface ContentBlock {

    /** The text of the text blocks among {@code blocks}, joined; other blocks are skipped. */
    static String joinText(List<ContentBlock> blocks) {
        StringBuilder text = new StringBuilder();
        for (ContentBlock block : blocks) {
            if (block instanceof Text t) {
                text.append(t.text());
            }
        }
        return text.toString();
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record Text(String text, CacheControl cacheControl) implements ContentBlock {
        public Text(String text) {
            this(text, null);
        }
    }

    /** An image; {@code source} is passed through as given ({@code base64}, {@code url} or {@code file}). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record Image(JsonNode source, CacheControl cacheControl) implements ContentBlock {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record Document(JsonNode source, String title, String context, JsonNode citations, CacheControl cacheControl)
            implements
                ContentBlock {
    }

    /** A tool call made by the model; {@code input} is a JSON object. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record ToolUse(String id, String name, JsonNode input, JsonNode caller) implements ContentBlock {
    }

    /** A tool's answer; {@code content} is a string or a list of blocks. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record ToolResult(String toolUseId, List<ContentBlock> content, Boolean isError, CacheControl cacheControl)
            implements
                ContentBlock {
    }

    /** Thinking must go back to the API exactly as it came, signature included (§5.5). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record Thinking(String thinking, String signature) implements ContentBlock {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    @RegisterForReflection
    record RedactedThinking(String data) implements ContentBlock {
    }

    /** Any other block, kept as the JSON it arrived as and written back unchanged. */
    @JsonSerialize(using = UnknownSerializer.class)
    @JsonDeserialize(using = UnknownDeserializer.class)
    @RegisterForReflection
    record Unknown(JsonNode json) implements ContentBlock {
        public String type() {
            return json.path("type").asText();
        }
    }

    /** Writes an unknown block as it came, type field included. */
    final class UnknownSerializer extends StdSerializer<Unknown> {
        UnknownSerializer() {
            super(Unknown.class);
        }

        @Override
        public void serialize(Unknown value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeTree(value.json());
        }

        @Override
        public void serializeWithType(Unknown value, JsonGenerator gen, SerializerProvider provider,
                TypeSerializer typeSer) throws IOException {
            serialize(value, gen, provider);
        }
    }

    /** Reads an unknown block whole (the type id stays in it because the type info is visible). */
    final class UnknownDeserializer extends StdDeserializer<Unknown> {
        UnknownDeserializer() {
            super(Unknown.class);
        }

        @Override
        public Unknown deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return new Unknown(parser.readValueAsTree());
        }
    }
}
