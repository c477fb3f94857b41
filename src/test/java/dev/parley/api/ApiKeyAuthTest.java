package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/** {@code parley.auth.mode=api-key}: callers are known by their keys, which parley holds only as hashes. */
@QuarkusTest
@TestProfile(ApiKeyAuthTest.TwoCallers.class)
class ApiKeyAuthTest {

    static final String ALICE_KEY = "pk-alice-0123456789abcdef";
    static final String BOB_KEY = "pk-bob-fedcba9876543210";

    /** Alice (an admin) and Bob, by the SHA-256 of their keys. */
    public static class TwoCallers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("parley.auth.mode", "api-key",
                    "parley.auth.keys.alice.sha256", CallerAuthentication.sha256(ALICE_KEY),
                    "parley.auth.keys.alice.admin", "true",
                    "parley.auth.keys.bob.sha256", CallerAuthentication.sha256(BOB_KEY));
        }
    }

    @Test
    void missingKeyIs401ProblemAndCounted() {
        given().contentType("application/json").body(ChatStreamTest.body("Hi")).post("/v1/chat/stream").then()
                .statusCode(401).contentType("application/problem+json").header("WWW-Authenticate", "Bearer")
                .body("code", equalTo("unauthorized"));
        assertThat(given().get("/q/metrics").asString()).contains("parley_auth_failures_total{reason=\"missing_key\"}");
    }

    @Test
    void wrongKeyIs401AndNeverEchoed() {
        Response response = given().header("Authorization", "Bearer pk-not-a-real-key-42")
                .contentType("application/json").body(ChatStreamTest.body("Hi")).post("/v1/chat");
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.asString()).doesNotContain("pk-not-a-real-key-42");
        assertThat(given().get("/q/metrics").asString()).contains("parley_auth_failures_total{reason=\"invalid_key\"}");
    }

    @Test
    void bearerAndXApiKeyBothIdentifyACaller() {
        given().header("Authorization", "Bearer " + ALICE_KEY).contentType("application/json")
                .body(ChatStreamTest.body("[[sim:reply=Hi Alice.]]")).post("/v1/chat").then().statusCode(200)
                .body("text", equalTo("Hi Alice."));
        given().header("x-api-key", BOB_KEY).contentType("application/json")
                .body(ChatStreamTest.body("[[sim:reply=Hi Bob.]]")).post("/v1/chat").then().statusCode(200)
                .body("text", equalTo("Hi Bob."));
    }

    @Test
    void twoKeysNamingTwoCallersAre401BeforeAnyUpstreamCall() {
        String id = ChatStreamTest.uniqueId();
        Response response = given().header("x-api-key", ALICE_KEY).header("Authorization", "Bearer " + BOB_KEY)
                .contentType("application/json").body(ChatStreamTest.body("[[sim:id=" + id + "]] Who am I?"))
                .post("/v1/chat");

        assertThat(response.statusCode()).as(response.asString()).isEqualTo(401);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.header("X-Request-Id")).isNotBlank();
        assertThat(response.jsonPath().getString("code")).isEqualTo("unauthorized");
        assertThat(response.asString()).doesNotContain(ALICE_KEY).doesNotContain(BOB_KEY);
        assertThat(given().get("/simulator/admin/counters?id=" + id).jsonPath().getLong("requests")).isZero();
        assertThat(given().get("/q/metrics").asString())
                .contains("parley_auth_failures_total{reason=\"conflicting_keys\"}")
                .contains("parley_chat_rejections_total{reason=\"unauthorized\"}");
        // The same key in both headers is one caller.
        given().header("x-api-key", BOB_KEY).header("Authorization", "Bearer " + BOB_KEY)
                .contentType("application/json").body(ChatStreamTest.body("[[sim:reply=Bob twice.]]"))
                .post("/v1/chat").then().statusCode(200).body("text", equalTo("Bob twice."));
    }

    @Test
    void aConversationBelongsToItsCaller() {
        String conversation = given().header("x-api-key", ALICE_KEY).contentType("application/json")
                .body("{\"message\":\"[[sim:reply=Noted.]]\",\"startConversation\":true}").post("/v1/chat").then()
                .statusCode(200).extract().path("conversationId");
        given().header("x-api-key", ALICE_KEY).get("/v1/conversations/" + conversation).then().statusCode(200);
        // To anyone else it does not exist: not readable, not continuable, not deletable.
        given().header("x-api-key", BOB_KEY).get("/v1/conversations/" + conversation).then().statusCode(404);
        given().header("x-api-key", BOB_KEY).contentType("application/json")
                .body("{\"message\":\"Hi\",\"conversationId\":\"" + conversation + "\"}").post("/v1/chat").then()
                .statusCode(404).body("code", equalTo("conversation_not_found"));
        given().header("x-api-key", BOB_KEY).delete("/v1/conversations/" + conversation).then().statusCode(404);
        given().header("x-api-key", ALICE_KEY).get("/v1/conversations/" + conversation).then().statusCode(200);
    }

    @Test
    void aCallerSeesOnlyItsOwnUsageAndAnAdminSeesEveryone() {
        java.time.Instant start = java.time.Instant.now().minusMillis(1);
        given().header("x-api-key", ALICE_KEY).contentType("application/json")
                .body(ChatStreamTest.body("[[sim:reply=For Alice.]]")).post("/v1/chat").then().statusCode(200);
        given().header("x-api-key", BOB_KEY).contentType("application/json")
                .body(ChatStreamTest.body("[[sim:reply=For Bob.]]")).post("/v1/chat").then().statusCode(200);
        String query = "/v1/usage?groupBy=caller&from=" + start + "&to=" + java.time.Instant.now().plusSeconds(5);

        // Alice is an admin: both callers, once both rows are written.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> given()
                .header("x-api-key", ALICE_KEY).get(query).then().extract().jsonPath().getList("groups").size() == 2);
        given().header("x-api-key", BOB_KEY).get(query).then().statusCode(200)
                .body("groups.key", org.hamcrest.Matchers.contains("bob"));
        given().header("x-api-key", ALICE_KEY).get(query + "&caller=bob").then().statusCode(200)
                .body("groups.key", org.hamcrest.Matchers.contains("bob"));
        given().header("x-api-key", BOB_KEY).get(query + "&caller=alice").then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("forbidden"));
    }

    @Test
    void healthNeedsNoKey() {
        given().get("/q/health/live").then().statusCode(200);
    }
}
