package dev.parley.api;

import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.Provider;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;

/**
 * Reads parley's own request body, {@link ChatRequest}, strictly: a body whose {@code Content-Type} is missing is a
 * 415, and anything but one well-formed JSON object of the documented fields and types is {@code invalid_json}
 * (unknown or duplicate fields, {@code "10"} or {@code 1.5} for a whole number, {@code 42} for a text, trailing
 * data, bytes that are not UTF-8 (overlong forms decoded to {@code /} included), a lone surrogate). Every refusal is
 * counted in {@code parley.chat.rejections} (by {@link ProblemMappers}, which also sees the 415s decided before a
 * reader is chosen).
 * <p>
 * The strictness is this reader's alone: the application's {@code ObjectMapper} stays lenient for what it reads from
 * the upstream (whose wire types must tolerate new fields) and the simulator has a mapper of its own.
 */
@Provider
@Consumes(MediaType.APPLICATION_JSON)
public class ChatRequestReader implements MessageBodyReader<ChatRequest> {

    private final ObjectReader strict;

    ChatRequestReader(ObjectMapper mapper) {
        this.strict = strictReader(mapper, ChatRequest.class);
    }

    /** A reader of {@code type} as strict as this one's (for parley's other request bodies). */
    static ObjectReader strictReader(ObjectMapper mapper, Class<?> type) {
        // A copy keeps the application's modules and settings; only what follows differs.
        ObjectMapper copy = mapper.copy();
        copy.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, DeserializationFeature.FAIL_ON_TRAILING_TOKENS,
                DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        copy.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        copy.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        copy.registerModule(new SimpleModule("parley-strict-text").addDeserializer(String.class, new StrictText()));
        return copy.readerFor(type).with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == ChatRequest.class;
    }

    @Override
    public ChatRequest readFrom(Class<ChatRequest> type, Type genericType, Annotation[] annotations,
            MediaType mediaType, MultivaluedMap<String, String> headers, InputStream body) throws IOException {
        return read(strict, headers, body);
    }

    /** Reads a body strictly: 415 without a {@code Content-Type}, {@code null} when empty. */
    static <T> T read(ObjectReader strict, MultivaluedMap<String, String> headers, InputStream body)
            throws IOException {
        if (headers.getFirst(HttpHeaders.CONTENT_TYPE) == null) {
            // Quarkus would assume the method's JSON; the README promises a 415 instead.
            throw new NotSupportedException("no Content-Type");
        }
        byte[] bytes = body.readAllBytes();
        if (bytes.length == 0) {
            return null; // refused as invalid_request: a JSON body is required
        }
        return strict.readValue(utf8(bytes));
    }

    /** Decodes strictly: Jackson's own decoder accepts overlong forms such as {@code C0 AF} for {@code /}. */
    private static String utf8(byte[] bytes) throws JsonParseException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new JsonParseException(null, "the body is not UTF-8");
        }
    }

    /** Text only from JSON strings, and only well-formed Unicode (no lone surrogate escaped as {@code \ud800}). */
    private static final class StrictText extends StdScalarDeserializer<String> {

        StrictText() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (!parser.hasToken(JsonToken.VALUE_STRING)) {
                return (String) context.handleUnexpectedToken(String.class, parser);
            }
            String text = parser.getText();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < text.length()
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    throw InvalidFormatException.from(parser, "a lone surrogate is not Unicode text", text,
                            String.class);
                }
            }
            return text;
        }
    }
}
