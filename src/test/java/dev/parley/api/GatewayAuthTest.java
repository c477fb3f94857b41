package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

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
            return Map.of("parley.auth.mode", "gateway", "parley.auth.gateway-header", "X-Consumer");
        }
    }

    @Test
    void requestWithoutTheGatewayHeaderIs401() {
        given().contentType("application/json").body(ChatStreamTest.body("Hi")).post("/v1/chat").then()
                .statusCode(401).body("code", equalTo("unauthorized"));
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
