package dev.parley.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The body of {@code POST /v1/chat/stream} and {@code POST /v1/chat}.
 *
 * @param message the new user message (required)
 * @param history prior messages, for clients that keep the conversation themselves
 * @param conversationId a server-side conversation to continue
 * @param startConversation ask the service to keep this conversation; its id comes back in {@code done}
 * @param assistant the assistant profile ({@code default} when absent)
 * @param maxTokens cap on the reply's length, within the profile's maximum
 * @param deadlineMs how long the whole turn may take, retries included (capped by {@code parley.limits.max-deadline})
 * @param resumable a streamed turn that goes on when its client goes away, for the client to resume
 *            ({@code GET /v1/chat/turns/{turnId}/stream}) within {@code parley.streams.resume-grace}
 */
@RegisterForReflection
@Schema(additionalProperties = Schema.False.class, description = "Read strictly: these fields only, each at most "
        + "once and of its JSON type (else 400 `invalid_json`).")
public record ChatRequest(String message, List<HistoryMessage> history, String conversationId,
        Boolean startConversation, String assistant, Integer maxTokens, Long deadlineMs,
        Boolean resumable) {

    /** A prior message: role {@code user} or {@code assistant}, and its text. */
    @RegisterForReflection
    @Schema(additionalProperties = Schema.False.class)
    public record HistoryMessage(String role, String content) {
    }
}
