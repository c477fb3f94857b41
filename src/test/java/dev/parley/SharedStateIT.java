package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.parley.harness.PackagedJar;
import dev.parley.harness.ParleyProcess;

/**
 * Two replicas of the packaged application sharing Redis (conversations, under a key prefix of this run's own) and
 * PostgreSQL (the usage ledger), each with its own embedded simulator: a conversation begun on one continues on the
 * other, and both replicas' usage lands in the one ledger.
 */
@PackagedJar
class SharedStateIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DATABASE = "jdbc:postgresql://127.0.0.1:5432/test";

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void conversationBegunOnOneReplicaContinuesOnAnotherAndBothMeterIntoOneLedger() throws Exception {
        String run = UUID.randomUUID().toString().replace("-", "");
        Map<String, String> environment = Map.of(
                "PARLEY_CONVERSATIONS_STORE", "redis",
                "PARLEY_CONVERSATIONS_REDIS_KEY_PREFIX", "parley:it:" + run + ":",
                "PARLEY_REDIS_URL", "redis://127.0.0.1:6379",
                "PARLEY_LEDGER_STORE", "postgresql",
                "PARLEY_LEDGER_JDBC_URL", DATABASE,
                "PARLEY_LEDGER_USERNAME", "postgres",
                "PARLEY_SIMULATOR_ENABLED", "true",
                "ANTHROPIC_BASE_URL", "embedded",
                "ANTHROPIC_API_KEY", "parley-simulator-key");
        try (ParleyProcess a = ParleyProcess.start("replica-a", environment);
                ParleyProcess b = ParleyProcess.start("replica-b", environment)) {
            String requestA = "shared-a-" + run;
            String requestB = "shared-b-" + run;
            JsonNode first = chat(a, requestA, Map.of("message", "First question [[sim:reply=First answer.]]",
                    "startConversation", true));
            String conversation = first.path("conversationId").asText();
            assertThat(conversation).startsWith("conv_");

            String simId = "shared" + run.substring(0, 8);
            JsonNode second = chat(b, requestB, Map.of("message", "Second question [[sim:id=" + simId + "]]",
                    "conversationId", conversation));
            assertThat(second.path("conversationId").asText()).isEqualTo(conversation);

            // Replica B sent the whole history, which only replica A had seen, to its upstream.
            JsonNode upstream = get(b, "/simulator/admin/requests?id=" + simId).get(0).path("body").path("messages");
            assertThat(upstream.size()).isEqualTo(3);
            assertThat(upstream.get(0).path("content").get(0).path("text").asText())
                    .isEqualTo("First question [[sim:reply=First answer.]]");
            assertThat(upstream.get(1).path("content").get(0).path("text").asText()).isEqualTo("First answer.");
            // And replica A sees the turn replica B added.
            JsonNode onA = get(a, "/v1/conversations/" + conversation).path("messages");
            assertThat(onA.size()).isEqualTo(4);
            assertThat(onA.get(2).path("text").asText()).startsWith("Second question");

            // One ledger: each replica's turn is a row of it, both of the same conversation.
            await().atMost(Duration.ofSeconds(15)).until(() -> ledgerRows(conversation, requestA, requestB) == 2);

            assertThat(delete(b, "/v1/conversations/" + conversation)).isEqualTo(204);
            assertThat(status(a, "/v1/conversations/" + conversation)).isEqualTo(404);
        }
    }

    private JsonNode chat(ParleyProcess replica, String requestId, Map<String, Object> body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(replica.uri().resolve("/v1/chat"))
                .header("content-type", "application/json").header("x-request-id", requestId)
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(new HashMap<>(body)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private JsonNode get(ParleyProcess replica, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(replica.uri().resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private int status(ParleyProcess replica, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(replica.uri().resolve(path)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private int delete(ParleyProcess replica, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(replica.uri() + path)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int ledgerRows(String conversation, String... requestIds) throws SQLException {
        try (Connection connection = DriverManager.getConnection(DATABASE, "postgres", "");
                PreparedStatement select = connection.prepareStatement(
                        "SELECT COUNT(*) FROM usage_ledger WHERE conversation_id = ? AND request_id IN (?, ?)")) {
            select.setString(1, conversation);
            select.setString(2, requestIds[0]);
            select.setString(3, requestIds[1]);
            try (ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }
}
