package dev.parley.chat;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.mutiny.Uni;

import dev.parley.anthropic.InputMessage;

/**
 * The default store: in memory, bounded in count (least recently used evicted) and age (TTL since the last turn).
 * Good for one replica; several replicas share conversations through {@link RedisConversationStore}. Chosen by
 * {@link ConversationStores}.
 */
public class InMemoryConversationStore implements ConversationStore {

    private final ConversationsConfig config;
    private final Clock clock;
    private final Map<String, Conversation> conversations;

    InMemoryConversationStore(ConversationsConfig config) {
        this.config = config;
        this.clock = Clock.systemUTC();
        this.conversations = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Conversation> eldest) {
                return size() > config.maxCount();
            }
        };
    }

    @Override
    public Uni<Optional<Conversation>> find(String id) {
        synchronized (conversations) {
            Conversation conversation = conversations.get(id);
            if (conversation != null && expired(conversation)) {
                conversations.remove(id);
                conversation = null;
            }
            return Uni.createFrom().item(Optional.ofNullable(conversation));
        }
    }

    @Override
    public Uni<Void> commitTurn(String id, String caller, String assistant, int expectedLength,
            List<InputMessage> turn, ThinkingBinding thinking) {
        synchronized (conversations) {
            Conversation current = conversations.get(id);
            if (current != null && expired(current)) {
                conversations.remove(id);
                current = null;
            }
            int length = current == null ? 0 : current.messages().size();
            if (length != expectedLength) {
                return Uni.createFrom().failure(new ConversationConflictException(id));
            }
            Instant now = clock.instant();
            List<InputMessage> messages = new ArrayList<>(current == null ? List.of() : current.messages());
            messages.addAll(turn);
            Conversation next = new Conversation(id, caller, assistant, messages,
                    current == null ? now : current.createdAt(), now, Optional.of(thinking));
            conversations.put(id, next);
            return Uni.createFrom().voidItem();
        }
    }

    @Override
    public Uni<Boolean> delete(String id) {
        synchronized (conversations) {
            return Uni.createFrom().item(conversations.remove(id) != null);
        }
    }

    private boolean expired(Conversation conversation) {
        return conversation.updatedAt().plus(config.ttl()).isBefore(clock.instant());
    }
}
