package dev.parley.api;

import java.time.Instant;
import java.util.List;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;

import dev.parley.chat.ChatRejectedException;
import dev.parley.chat.Conversation;
import dev.parley.chat.ConversationIds;
import dev.parley.chat.ConversationStore;

/** {@code GET} and {@code DELETE /v1/conversations/{id}}: read or forget a server-side conversation. */
@Path("/v1/conversations/{id}")
@Tag(name = "conversations")
public class ConversationResource {

    private final ConversationStore store;

    ConversationResource(ConversationStore store) {
        this.store = store;
    }

    /** A conversation as clients see it. */
    @RegisterForReflection
    public record ConversationView(String id, String assistant, Instant createdAt, Instant updatedAt,
            List<Conversation.TranscriptEntry> messages) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Read a conversation kept by the service", description = "Its assistant, times and "
            + "messages (text, tool calls and tool results). Only the caller that started it can read it.")
    @APIResponse(responseCode = "200", description = "The conversation")
    @APIResponse(responseCode = "401", ref = ApiDocumentation.UNAUTHORIZED)
    @APIResponse(responseCode = "404", ref = ApiDocumentation.CONVERSATION_NOT_FOUND)
    @APIResponse(responseCode = "500", ref = ApiDocumentation.INTERNAL)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.UNAVAILABLE)
    public Uni<ConversationView> get(
            @Parameter(description = "the `conversationId` of a `done` event") @PathParam("id") String id,
            RoutingContext context) {
        return owned(id, context).map(c -> new ConversationView(c.id(), c.assistant(), c.createdAt(), c.updatedAt(),
                c.transcript()));
    }

    @DELETE
    @Operation(summary = "Forget a conversation")
    @APIResponse(responseCode = "204", description = "Forgotten")
    @APIResponse(responseCode = "401", ref = ApiDocumentation.UNAUTHORIZED)
    @APIResponse(responseCode = "404", ref = ApiDocumentation.CONVERSATION_NOT_FOUND)
    @APIResponse(responseCode = "500", ref = ApiDocumentation.INTERNAL)
    @APIResponse(responseCode = "503", ref = ApiDocumentation.UNAVAILABLE)
    public Uni<Response> delete(
            @Parameter(description = "the `conversationId` of a `done` event") @PathParam("id") String id,
            RoutingContext context) {
        return owned(id, context).flatMap(c -> store.delete(id)).map(deleted -> Response.noContent().build());
    }

    /** The caller's own conversation; another caller's is reported as missing, not as forbidden. */
    private Uni<Conversation> owned(String id, RoutingContext context) {
        String caller = CallerAuthentication.callerOf(context);
        if (!ConversationIds.plausible(id)) {
            return Uni.createFrom().failure(notFound(id));
        }
        return store.find(id).map(found -> found.filter(c -> c.caller().equals(caller))
                .orElseThrow(() -> notFound(id)));
    }

    private static ChatRejectedException notFound(String id) {
        return new ChatRejectedException(ChatRejectedException.Reason.CONVERSATION_NOT_FOUND,
                "no conversation " + ConversationIds.shown(id));
    }
}
