package dev.parley.anthropic;

import java.io.IOException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * The chat path's reading of a stream: each event decoded once into its {@link StreamEvent} (a text delta by
 * {@link TextDeltaReader}'s shortcut, the rest by the binding), pings and unknown types kept back as mere activity,
 * an {@code error} event thrown as its {@link AnthropicException}. The call opens on its first event; the first
 * content is the first {@code content_block_delta}.
 */
final class TypedEvents implements StreamDecoding<StreamEvent> {

    private final ObjectReader events;
    private final TextDeltaReader textDeltas;

    TypedEvents(ObjectMapper mapper) {
        this.events = mapper.readerFor(StreamEvent.class);
        this.textDeltas = new TextDeltaReader(mapper.getFactory());
    }

    @Override
    public StreamEvent decode(byte[] data) {
        StreamEvent event = textDeltas.read(data);
        if (event != null) {
            return event;
        }
        try {
            event = events.readValue(data);
        } catch (IOException e) {
            throw AnthropicException.transport(AnthropicException.Kind.INTERRUPTED, e);
        }
        if (event instanceof StreamEvent.Error error) {
            throw UpstreamErrors.fromStreamError(error);
        }
        return event instanceof StreamEvent.Ping || event instanceof StreamEvent.Unknown ? null : event;
    }

    @Override
    public boolean opens(StreamEvent event) {
        return true;
    }

    @Override
    public boolean content(StreamEvent event) {
        return event instanceof StreamEvent.ContentBlockDelta;
    }
}
