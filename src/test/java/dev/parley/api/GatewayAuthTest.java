package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** {@code parley.auth.mode=gateway}: the gateway in front names the caller in a header parley trusts. */
@QuarkusTest
@TestProfile(GatewayAuthTest.BehindAGateway.class)
class GatewayAuthTest {

    /** The gateway's header. */
    public static class BehindAGateway implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // A key-mode admin named "admin" must not make whoever the gateway calls "admin" one.
            return Map.of("parley.auth.mode", "gateway", "parley.auth.gateway-header", "X-Consumer",
                    "parley.auth.gateway-admins", "ops,auditors",
                    "parley.auth.keys.admin.sha256", CallerAuthentication.sha256("pk-admin-key"),
                    "parley.auth.keys.admin.admin", "true");
        }
    }

    @Test
    void requestWithoutTheGatewayHeaderIs401SayingItDidNotComeThroughTheGateway() {
        String detail = given().contentType("application/json").body(ChatStreamTest.body("Hi")).post("/v1/chat")
                .then().statusCode(401).contentType("application/problem+json").header("WWW-Authenticate",
                        nullValue())
                .body("code", equalTo("unauthorized")).extract().path("detail");
        assertThat(detail).contains("gateway").doesNotContainIgnoringCase("key");
    }

    @Test
    void onlyTheGatewayAdminsAreAdminsNotACallerNamedLikeAKeyModeAdmin() {
        String everyone = "/v1/usage?groupBy=caller";
        given().header("X-Consumer", "admin").get(everyone + "&caller=team-a").then().statusCode(403)
                .body("code", equalTo("forbidden"));
        given().header("X-Consumer", "admin").get("/v1/budget?caller=team-a").then().statusCode(403);
        given().header("X-Consumer", "ops").get(everyone + "&caller=team-a").then().statusCode(200);
        given().header("X-Consumer", "auditors").get("/v1/budget?caller=team-a").then().statusCode(200);
    }

    @Test
    void theHeaderNamesTheCallerWhoseConversationsAreTheirOwn() {
        String conversation = given().header("X-Consumer", "team-a").contentType("application/json")
                .body("{\"message\":\"[[sim:reply=Noted.]]\",\"startConversation\":true}").post("/v1/chat").then()
                .statusCode(200).extract().path("conversationId");
        given().header("X-Consumer", "team-a").get("/v1/conversations/" + conversation).then().statusCode(200);
        given().header("X-Consumer", "team-b").get("/v1/conversations/" + conversation).then().statusCode(404);
    }
}
