package dev.parley.frontdoor;

import com.fasterxml.jackson.databind.JsonNode;

import dev.parley.anthropic.RawEvent;
import dev.parley.anthropic.StreamEvent;
import dev.parley.anthropic.Usage;

/**
 * What a passed-on stream has said about its message so far, for its ledger row: the id and serving model from
 * {@code message_start}, the stop from {@code message_delta}, and the usage of both with the API's overwrite rule
 * (§2.3: a later count replaces an earlier one), so that a stream cut off anywhere is metered with what was counted
 * by then. Confined to the stream's context.
 */
final class StreamTally {

    private String id;
    private String model;
    private String stopReason;
    private JsonNode stopDetails;
    private Usage usage = Usage.EMPTY;
    private boolean stopped;

    void add(RawEvent event) {
        switch (event.decoded().orElse(null)) {
            case StreamEvent.MessageStart start when start.message() != null -> {
                id = start.message().id();
                model = start.message().model();
                usage = usage.updatedBy(start.message().usage());
            }
            case StreamEvent.MessageDelta delta -> {
                if (delta.usage() != null) {
                    usage = usage.updatedBy(delta.usage());
                }
                if (delta.delta() != null) {
                    stopReason = delta.delta().stopReason();
                    stopDetails = delta.delta().stopDetails();
                }
            }
            case null, default -> stopped |= event.type().equals(RawEvent.MESSAGE_STOP);
        }
    }

    /** Whether {@code message_stop} arrived: the message is complete. */
    boolean stopped() {
        return stopped;
    }

    /** The message as far as its events went. */
    ReplyView view() {
        return new ReplyView(id, model, stopReason, stopDetails, usage);
    }
}
