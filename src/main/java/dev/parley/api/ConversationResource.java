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

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

import dev.parley.chat.ChatRejectedException;
import dev.parley.chat.Conversation;
import dev.parley.chat.ConversationStore;

/** {@code GET} and {@code DELETE /v1/conversations/{id}}: read or forget a server-side conversation. */
@Path("/v1/conversations/{id}")
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
    public Uni<ConversationView> get(@PathParam("id") String id) {
        return store.find(id).map(found -> found
                .map(c -> new ConversationView(c.id(), c.assistant(), c.createdAt(), c.updatedAt(), c.transcript()))
                .orElseThrow(() -> notFound(id)));
    }

    @DELETE
    public Uni<Response> delete(@PathParam("id") String id) {
        return store.delete(id).map(deleted -> {
            if (!deleted) {
                throw notFound(id);
            }
            return Response.noContent().build();
        });
    }

    private static ChatRejectedException notFound(String id) {
        return new ChatRejectedException(ChatRejectedException.Reason.CONVERSATION_NOT_FOUND,
                "no conversation " + id);
    }
}
