package dev.parley.chat;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.hash.ReactiveHashCommands;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.parley.anthropic.CacheControl;
import dev.parley.anthropic.ContentBlock;
import dev.parley.anthropic.InputMessage;

/**
 * Conversations in Redis, shared by every replica. One hash per conversation, under
 * {@code parley.conversations.redis-key-prefix} + id: {@code caller}, {@code assistant}, {@code createdAt},
 * {@code updatedAt}, {@code length}, and one field {@code m<i>} per message, holding the message as the API's JSON
 * (written with the application's {@code ObjectMapper}, so blocks parley does not model round-trip verbatim). A turn is
 * committed by one Lua script, which Redis runs atomically: the length check and every write happen together or not at
 * all, whichever replica commits. Each commit sets the key's TTL to {@code parley.conversations.ttl} again; Redis
 * forgets a conversation nobody continued.
 * <p>
 * Every call to Redis is bounded by {@code parley.conversations.redis-timeout}, and any failure of it (refused, cut,
 * an error reply, no answer in time) becomes one {@link ConversationStoreUnavailableException}, delivered on the
 * caller's Vert.x context (a timeout fires on a scheduler thread, and a turn's state lives on its context).
 */
@RegisterForReflection(targets = {InputMessage.class, CacheControl.class, ContentBlock.Text.class,
        ContentBlock.Image.class, ContentBlock.Document.class, ContentBlock.ToolUse.class,
        ContentBlock.ToolResult.class,
        ContentBlock.Thinking.class, ContentBlock.RedactedThinking.class, ContentBlock.Unknown.class})
final class RedisConversationStore implements ConversationStore {

    /**
     * KEYS[1] the conversation; ARGV: expected length, caller, assistant, now, TTL in ms, the thinking binding's
     * fingerprint and first index, then the turn's messages.
     * Returns 1 when committed, 0 when the length was not the expected one: nothing is read back, a turn only needs to
     * know that its messages were stored. Written only with fields, never by decoding JSON in Lua (cjson would turn an
     * empty array into an object).
     */
    private static final String COMMIT = """
            local length = tonumber(redis.call('HGET', KEYS[1], 'length') or '0')
            if length ~= tonumber(ARGV[1]) then
              return 0
            end
            if length == 0 then
              redis.call('HSET', KEYS[1], 'createdAt', ARGV[4])
            end
            redis.call('HSET', KEYS[1], 'caller', ARGV[2], 'assistant', ARGV[3], 'updatedAt', ARGV[4],
              'prefix', ARGV[6], 'thinkingFrom', ARGV[7])
            for i = 8, #ARGV do
              redis.call('HSET', KEYS[1], 'm' .. (length + i - 8), ARGV[i])
            end
            redis.call('HSET', KEYS[1], 'length', length + #ARGV - 7)
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            return 1
            """;

    private final ReactiveRedisDataSource redis;
    private final ReactiveHashCommands<String, String, String> hashes;
    private final ObjectMapper json;
    private final ConversationsConfig config;
    private final Clock clock;

    RedisConversationStore(ReactiveRedisDataSource redis, ObjectMapper json, ConversationsConfig config) {
        this.redis = redis;
        this.hashes = redis.hash(String.class);
        this.json = json;
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    @Override
    public Uni<Optional<Conversation>> find(String id) {
        return bounded("read", hashes.hgetall(key(id)))
                .map(fields -> fields.isEmpty() ? Optional.empty() : Optional.of(conversation(id, fields)));
    }

    @Override
    public Uni<Void> commitTurn(String id, String caller, String assistant, int expectedLength,
            List<InputMessage> turn, ThinkingBinding thinking) {
        List<String> arguments = new ArrayList<>(List.of(COMMIT, "1", key(id), Integer.toString(expectedLength),
                caller, assistant, clock.instant().toString(), Long.toString(config.ttl().toMillis()),
                thinking.fingerprint(), Integer.toString(thinking.thinkingFrom())));
        for (InputMessage message : turn) {
            arguments.add(write(message));
        }
        // EVAL rather than EVALSHA: the script is short, and Redis caches it anyway, so there is no NOSCRIPT case to
        // handle after a Redis restart or failover.
        return bounded("commit", redis.execute("EVAL", arguments.toArray(String[]::new))).invoke(reply -> {
            if (reply.toInteger() == 0) {
                throw new ConversationConflictException(id);
            }
        }).replaceWithVoid();
    }

    @Override
    public Uni<Boolean> delete(String id) {
        return bounded("delete", redis.key(String.class).del(key(id))).map(deleted -> deleted > 0);
    }

    /**
     * The Redis call, failing with {@link ConversationStoreUnavailableException} when it fails or takes longer than
     * the timeout; only the call itself: a stored value that cannot be read is a bug, not an outage.
     */
    private <T> Uni<T> bounded(String operation, Uni<T> call) {
        Duration timeout = config.redisTimeout();
        return Uni.createFrom().deferred(() -> {
            Context caller = Vertx.currentContext();
            return call.ifNoItem().after(timeout).failWith(() -> new ConversationStoreUnavailableException(
                    "Redis " + operation + " got no answer within " + timeout.toMillis() + " ms", null))
                    .onFailure(failure -> !(failure instanceof ConversationStoreUnavailableException))
                    .transform(failure -> new ConversationStoreUnavailableException(
                            "Redis " + operation + " failed: " + failure, failure))
                    .emitOn(work -> TurnDriver.onContext(caller, work));
        });
    }

    private String key(String id) {
        return config.redisKeyPrefix() + id;
    }

    private Conversation conversation(String id, Map<String, String> fields) {
        int length = Integer.parseInt(fields.get("length"));
        List<InputMessage> messages = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            messages.add(read(fields.get("m" + i)));
        }
        return new Conversation(id, fields.get("caller"), fields.get("assistant"), messages,
                Instant.parse(fields.get("createdAt")), Instant.parse(fields.get("updatedAt")),
                // Stored before parley kept the binding: unknown, so its thinking is not sent back.
                fields.containsKey("prefix")
                        ? Optional.of(new ThinkingBinding(fields.get("prefix"),
                                Integer.parseInt(fields.get("thinkingFrom"))))
                        : Optional.empty());
    }

    private String write(InputMessage message) {
        try {
            return json.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private InputMessage read(String message) {
        try {
            return json.readValue(message, InputMessage.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
