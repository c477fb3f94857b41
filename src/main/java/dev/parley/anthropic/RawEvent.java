package dev.parley.anthropic;

import java.util.List;
import java.util.Optional;

/**
 * One event of a streamed response as the upstream sent it, for the front door to pass on byte for byte: its type
 * (the {@code event:} name, which in the Messages API is its {@code data}'s {@code type}, §2.2) and its {@code data}.
 * The two events that carry the message's id, model, stop and usage are decoded as well, once each per stream, so
 * that the front door can meter what it passes on without reading the content.
 *
 * @param type the event's type, e.g. {@code content_block_delta}
 * @param data the event's {@code data}, exactly as sent (UTF-8 JSON)
 * @param decoded the typed event of a {@code message_start} or {@code message_delta}; empty for every other type
 */
public record RawEvent(String type, byte[] data, Optional<StreamEvent> decoded) {

    public static final String MESSAGE_START = "message_start";
    public static final String MESSAGE_DELTA = "message_delta";
    public static final String MESSAGE_STOP = "message_stop";
    public static final String PING = "ping";
    /**
     * The Messages API's event types (§2.2), the most frequent first: a known type is always one of these strings,
     * so that it costs no string of its own.
     */
    public static final List<String> KNOWN_TYPES = List.of("content_block_delta", MESSAGE_START,
            "content_block_start", "content_block_stop", MESSAGE_DELTA, MESSAGE_STOP, PING, "error");

    /**
     * Whether the event is content for the client: anything after the message's start other than a ping. The first
     * one is where a stream can no longer be retried unseen.
     */
    public boolean content() {
        return !type.equals(MESSAGE_START) && !type.equals(PING);
    }
}
