package dev.parley.anthropic;

import java.io.IOException;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * The front door's reading of a stream: every event passes as it came ({@link RawEvent}), including pings and types
 * parley does not know; only its type is read, with the streaming parser (the first field, where the API writes it;
 * anywhere else costs a tree). A stream opens on its first content event, so that its head, {@code message_start}
 * and pings are held back while a failure can still be retried, and one cut off before that is a transport failure.
 * An {@code error} event fails the call with the upstream's error type, as on the chat path.
 */
final class RawEvents implements StreamDecoding<RawEvent> {

    private final JsonFactory json;
    private final ObjectReader typed;
    private final ObjectReader trees;

    RawEvents(ObjectMapper mapper) {
        this.json = mapper.getFactory();
        this.typed = mapper.readerFor(StreamEvent.class);
        this.trees = mapper.reader();
    }

    @Override
    public RawEvent decode(byte[] data) {
        String type = typeOf(data);
        return switch (type) {
            case RawEvent.MESSAGE_START, RawEvent.MESSAGE_DELTA -> new RawEvent(type, data, Optional.of(typed(data)));
            case "error" -> {
                if (typed(data) instanceof StreamEvent.Error error) {
                    throw UpstreamErrors.fromStreamError(error);
                }
                throw unreadable(null);
            }
            default -> new RawEvent(type, data, Optional.empty());
        };
    }

    @Override
    public boolean opens(RawEvent event) {
        return event.content();
    }

    @Override
    public boolean content(RawEvent event) {
        return event.content();
    }

    @Override
    public boolean opensAtItsEnd() {
        return false;
    }

    private String typeOf(byte[] data) {
        try (JsonParser parser = json.createParser(data)) {
            if (parser.nextToken() == JsonToken.START_OBJECT && "type".equals(parser.nextFieldName())
                    && parser.nextToken() == JsonToken.VALUE_STRING) {
                return parser.getText();
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
        JsonNode type;
        try {
            type = trees.readTree(data).path("type");
        } catch (IOException e) {
            throw unreadable(e);
        }
        if (!type.isTextual()) {
            throw unreadable(null);
        }
        return type.asText();
    }

    private StreamEvent typed(byte[] data) {
        try {
            return typed.readValue(data);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    private static AnthropicException unreadable(IOException cause) {
        return AnthropicException.transport(AnthropicException.Kind.INTERRUPTED,
                cause != null ? cause : new IOException("a stream event without a type"));
    }
}
