package dev.parley.anthropic;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * The front door's reading of a stream: every event passes as it came ({@link RawEvent}), including pings and types
 * parley does not know; only its type is read, by a scan of its first bytes where the API writes it
 * ({@code {"type":"…"}}; anywhere else costs a tree), and the two events that meter it are bound to their own records
 * (not through {@link StreamEvent}'s type lookup: both are on every stream's path). A stream opens on its first
 * content event, so that its head, {@code message_start} and pings are held back while a failure can still be
 * retried, and one cut off before that is a transport failure. An {@code error} event fails the call with the
 * upstream's error type, as on the chat path.
 */
final class RawEvents implements StreamDecoding<RawEvent> {

    private static final byte[] TYPE_FIRST = "{\"type\":\"".getBytes(StandardCharsets.US_ASCII);

    private final ObjectReader starts;
    private final ObjectReader deltas;
    private final ObjectReader errors;
    private final ObjectReader trees;

    RawEvents(ObjectMapper mapper) {
        this.starts = mapper.readerFor(StreamEvent.MessageStart.class);
        this.deltas = mapper.readerFor(StreamEvent.MessageDelta.class);
        this.errors = mapper.readerFor(StreamEvent.Error.class);
        this.trees = mapper.reader();
    }

    @Override
    public RawEvent decode(byte[] data) {
        String type = typeOf(data);
        return switch (type) {
            case RawEvent.MESSAGE_START -> new RawEvent(type, data, Optional.of(read(starts, data)));
            case RawEvent.MESSAGE_DELTA -> new RawEvent(type, data, Optional.of(read(deltas, data)));
            case "error" -> throw UpstreamErrors.fromStreamError(read(errors, data));
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
        if (Arrays.equals(data, 0, Math.min(data.length, TYPE_FIRST.length), TYPE_FIRST, 0, TYPE_FIRST.length)) {
            int end = TYPE_FIRST.length;
            while (end < data.length && data[end] != '"' && data[end] != '\\') {
                end++;
            }
            if (end < data.length && data[end] == '"') {
                for (String known : RawEvent.KNOWN_TYPES) {
                    if (matches(data, TYPE_FIRST.length, end, known)) {
                        return known;
                    }
                }
                return new String(data, TYPE_FIRST.length, end - TYPE_FIRST.length, StandardCharsets.UTF_8);
            }
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

    private static boolean matches(byte[] data, int from, int to, String ascii) {
        if (to - from != ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (data[from + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static <T> T read(ObjectReader reader, byte[] data) {
        try {
            return reader.readValue(data);
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    private static AnthropicException unreadable(IOException cause) {
        return AnthropicException.transport(AnthropicException.Kind.INTERRUPTED,
                cause != null ? cause : new IOException("a stream event without a type"));
    }
}
