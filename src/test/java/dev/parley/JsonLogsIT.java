package dev.parley;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.parley.harness.PackagedJar;
import dev.parley.harness.ParleyProcess;

/**
 * In production the console log is JSON, one object a line, and every line logged for a request carries its
 * {@code X-Request-Id} in {@code mdc.requestId}, also the lines written off the request's thread (a retry after its
 * delay, the turn's usage line). The packaged application also serves its OpenAPI document, but no Swagger UI.
 */
@PackagedJar
class JsonLogsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void productionLogsAreJsonAndCarryTheRequestId() {
        String requestId = "json-logs-" + ThreadLocalRandom.current().nextInt(1_000_000);
        try (ParleyProcess parley = ParleyProcess.start("json-logs", Map.of("PARLEY_SIMULATOR_ENABLED", "true",
                "PARLEY_ANTHROPIC_BASE_URL", "embedded", "PARLEY_ANTHROPIC_API_KEY", "parley-simulator-key"))) {
            String body = given().baseUri(parley.uri().toString()).header("X-Request-Id", requestId)
                    .contentType("application/json")
                    .body("{\"message\":\"Hi [[sim:id=" + requestId + "]] [[sim:fault=529]] [[sim:reply=Hello.]]\"}")
                    .post("/v1/chat/stream").then().statusCode(200).extract().asString();
            assertThat(body).contains("event: retry", "event: done");

            await().atMost(Duration.ofSeconds(10)).until(() -> messagesOf(parley, requestId).stream()
                    .anyMatch(message -> message.startsWith("turn ok")));
            List<String> messages = messagesOf(parley, requestId);
            assertThat(messages).anyMatch(message -> message.startsWith("retrying after upstream_overloaded"));
            // The id is in the MDC, not pasted into the text.
            assertThat(messages).noneMatch(message -> message.contains(requestId));

            List<String> lines = parley.output().stream().filter(line -> !line.isBlank()).toList();
            assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(json(line)).as(line).isPresent());
            assertThat(String.join("\n", lines)).doesNotContain("parley-simulator-key");

            given().baseUri(parley.uri().toString()).queryParam("format", "json").get("/q/openapi").then()
                    .statusCode(200);
            given().baseUri(parley.uri().toString()).get("/q/swagger-ui/").then().statusCode(404);
        }
    }

    /** The messages of the JSON log lines whose MDC holds this request id. */
    private static List<String> messagesOf(ParleyProcess parley, String requestId) {
        return parley.output().stream().map(JsonLogsIT::json).flatMap(Optional::stream)
                .filter(line -> requestId.equals(line.at("/mdc/requestId").asText()))
                .map(line -> line.path("message").asText())
                .toList();
    }

    private static Optional<JsonNode> json(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }
}
