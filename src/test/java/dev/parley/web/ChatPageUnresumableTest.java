package dev.parley.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The chat page when a broken reply cannot be picked up again: the server kept too few of its events to resume it
 * (410 {@code turn_not_resumable}), and the reply ends with a sentence saying so rather than trying on.
 */
@QuarkusTest
@TestProfile(ChatPageUnresumableTest.FewKeptEvents.class)
class ChatPageUnresumableTest extends InChromium {

    /** The turn outgrows the events the server keeps of it after its first few tokens. */
    public static class FewKeptEvents extends PatientUpstream {

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("parley.streams.max-events", "20");
            return overrides;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static CuttableProxy proxy;

    @TestHTTPResource("/")
    URL root;

    private ChatPage page;

    @BeforeEach
    void openPageThroughTheProxy() {
        if (proxy == null) {
            proxy = CuttableProxy.to(root.getPort());
        }
        browser.resize(Chromium.DESKTOP);
        page = new ChatPage(browser).open(proxy.in(root));
    }

    @AfterAll
    static void closeProxy() {
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
    }

    @Test
    void saysSoWhenABrokenReplyCannotBePickedUpAgain() {
        String id = "web-unresumable-" + UUID.randomUUID();
        page.send("[[sim:id=" + id + "]] [[sim:tokens=2000]] [[sim:delay=10ms]] Go on and on");
        browser.until(driver -> page.lastReply() != null && page.lastReply().text().length() > 200);
        String textWhenCut = page.lastReply().text();

        proxy.cut();

        WebElement reply = page.awaitReply(1, "error");
        String sentence = "The connection broke, and this reply cannot be picked up where it stopped. "
                + "Please send your message again.";
        assertThat(page.text(reply, ".reply-error")).isEqualTo(sentence);
        assertThat(browser.find("#status").getText()).isEqualTo(sentence);
        assertThat(page.lastReply().text()).startsWith(textWhenCut);
        assertThat(page.lastReply().hasCostLine()).isFalse();
        assertThat(browser.findAll(".notice-reconnecting")).isEmpty();
        assertThat(browser.find("#send").isEnabled()).isTrue();
        // Nobody can read the rest: the server treats a turn past its bound as it treats one that is not resumable, and
        // cancels it when its client goes.
        await().atMost(Duration.ofSeconds(20)).until(() -> counters(id).path("streamsAbandoned").asLong() == 1);
        assertThat(counters(id).path("streamsCompleted").asLong()).isZero();
    }

    private static JsonNode counters(String id) {
        String body = given().get("/simulator/admin/counters?id=" + id).then().statusCode(200).extract().asString();
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(body, e);
        }
    }
}
