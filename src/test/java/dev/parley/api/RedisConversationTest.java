package dev.parley.api;

import static dev.parley.api.SseTestClient.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;

import dev.parley.anthropic.ContentBlock;
import dev.parley.anthropic.InputMessage;
import dev.parley.api.SseTestClient.StreamReply;
import dev.parley.chat.Conversation;
import dev.parley.chat.ConversationStore;
import dev.parley.chat.ThinkingBinding;

/**
 * The conversation suite on the Redis store (the server on this machine, 127.0.0.1:6379), under a key prefix of this
 * test run's own; plus what only Redis has: the key's TTL, atomic commits racing on one server, and the stored JSON.
 */
@QuarkusTest
@TestProfile(RedisConversationTest.OnRedis.class)
class RedisConversationTest extends ConversationContract {

    /** A binding as a turn commits it: the prefix fingerprint and the first message whose thinking it covers. */
    private static final ThinkingBinding BINDING = new ThinkingBinding("0123456789abcdef0123456789abcdef", 1);

    public static class OnRedis implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.conversations.store", "redis",
                    "parley.conversations.redis-key-prefix", "parley:test:" + UUID.randomUUID() + ":");
        }
    }

    @Inject
    ConversationStore store;

    @Inject
    RedisDataSource redis;

    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "parley.conversations.redis-key-prefix")
    String prefix;

    @Test
    void eachTurnSetsTheKeysTimeToLiveAgain() {
        String conversation = startConversation("Hello [[sim:reply=Hi.]]");
        String key = prefix + conversation;
        assertThat(redis.key().pttl(key)).isBetween(Duration.ofHours(23).toMillis(), Duration.ofHours(24).toMillis());

        redis.key().pexpire(key, Duration.ofMinutes(1));
        assertThat(redis.key().pttl(key)).isLessThanOrEqualTo(Duration.ofMinutes(1).toMillis());
        StreamReply next = sse.stream(json(Map.of("message", "Again [[sim:reply=Hi again.]]", "conversationId",
                conversation)));
        assertThat(next.names()).last().isEqualTo("done");
        assertThat(redis.key().pttl(key)).isGreaterThan(Duration.ofHours(23).toMillis());
    }

    @Test
    void ofManyCommitsAtTheSameLengthExactlyOneIsStored() {
        String id = "conv_race" + UUID.randomUUID().toString().replace("-", "");
        List<Uni<Boolean>> commits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            commits.add(store.commitTurn(id, "anonymous", "default", 0,
                    List.of(InputMessage.user("Question " + i), InputMessage.assistant(
                            List.of(new ContentBlock.Text("Answer " + i)))),
                    BINDING)
                    .map(committed -> true).onFailure().recoverWithItem(false));
        }
        List<Boolean> results = Uni.join().all(commits).andCollectFailures().await().atMost(Duration.ofSeconds(10));

        assertThat(results).containsOnlyOnce(true);
        Conversation stored = store.find(id).await().atMost(Duration.ofSeconds(5)).orElseThrow();
        assertThat(stored.messages()).hasSize(2);
        String winner = ContentBlock.joinText(stored.messages().get(0).content()).replace("Question ", "");
        assertThat(ContentBlock.joinText(stored.messages().get(1).content())).isEqualTo("Answer " + winner);
    }

    @Test
    void messagesRoundTripExactlyUnknownBlocksIncluded() throws Exception {
        String id = "conv_json" + UUID.randomUUID().toString().replace("-", "");
        ContentBlock serverTool = json.readValue("""
                {"type":"server_tool_use","id":"srvtoolu_1","name":"web_search",
                 "input":{"query":"parley","filters":[],"options":{}}}""", ContentBlock.class);
        List<InputMessage> turn = List.of(InputMessage.user("Search, please"),
                InputMessage.assistant(List.of(serverTool, new ContentBlock.Text("Found it."))));

        store.commitTurn(id, "anonymous", "default", 0, turn, BINDING).await().atMost(Duration.ofSeconds(5));
        Conversation stored = store.find(id).await().atMost(Duration.ofSeconds(5)).orElseThrow();

        assertThat(stored.thinking()).contains(BINDING);
        assertThat(stored.messages().get(1).content().getFirst()).isInstanceOf(ContentBlock.Unknown.class);
        assertThat((JsonNode) json.valueToTree(stored.messages())).isEqualTo(json.valueToTree(turn));
        assertThat(stored.createdAt()).isEqualTo(stored.updatedAt());
    }

    @Test
    void aConversationStoredForAnotherCallerDoesNotExistForThisOne() {
        String id = "conv_owned" + UUID.randomUUID().toString().replace("-", "");
        store.commitTurn(id, "alice", "default", 0, List.of(InputMessage.user("Mine"),
                InputMessage.assistant(List.of(new ContentBlock.Text("Yours.")))), BINDING)
                .await().atMost(Duration.ofSeconds(5));

        // This application's caller is "anonymous" (auth mode none): Alice's conversation is nowhere to be seen.
        given().get(app.resolve("/v1/conversations/" + id)).then().statusCode(404);
        assertThat(sse.stream(json(Map.of("message", "Hi", "conversationId", id))).status()).isEqualTo(404);
        given().delete(app.resolve("/v1/conversations/" + id)).then().statusCode(404);
        assertThat(store.find(id).await().atMost(Duration.ofSeconds(5))).hasValueSatisfying(
                conversation -> assertThat(conversation.caller()).isEqualTo("alice"));
    }
}
