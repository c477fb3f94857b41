package dev.parley.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URL;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The chat page when the network fails in the middle of a reply: the page, opened through a proxy the test cuts,
 * resumes the turn on its own and the reply reads exactly as if nothing had happened, from the one upstream call.
 */
@QuarkusTest
@TestProfile(ChatPageResumeTest.LongTurns.class)
class ChatPageResumeTest extends InChromium {

    /**
     * Turns may last longer than the test profile's 20 s deadline, so that only a Stop that reached the server can
     * have ended one early: a turn whose client went away otherwise runs on for its resume grace (60 s).
     */
    public static class LongTurns extends PatientUpstream {

        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("parley.limits.max-deadline", "120s");
            return overrides;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Numbered words: a chunk shown twice, or lost, cannot go unnoticed. At 10 ms a token it streams for ~5 s. */
    private static final String REPLY = IntStream.rangeClosed(1, 250).mapToObj(i -> "w" + i)
            .collect(Collectors.joining(" "));

    private static CuttableProxy proxy;

    @TestHTTPResource("/")
    URL root;

    private ChatPage page;

    @BeforeEach
    void openPageThroughTheProxy() {
        if (proxy == null) {
            proxy = CuttableProxy.to(root.getPort());
        }
        proxy.admit();
        browser.resize(Chromium.DESKTOP);
        page = new ChatPage(browser).open(proxy.in(root));
        watchStatusAndNotices();
    }

    @AfterAll
    static void closeProxy() {
        if (proxy != null) {
            proxy.close();
            proxy = null;
        }
    }

    @Test
    void resumesAReplyCutMidwayWithNoTextLostOrRepeated() {
        String id = "web-resume-" + UUID.randomUUID();
        page.send("[[sim:id=" + id + "]] [[sim:delay=10ms]] [[sim:reply=" + REPLY + "]] Count");
        awaitSomeText();
        assertThat(counters(id).path("streamsCompleted").asLong()).as("still streaming when cut").isZero();

        proxy.cut();

        page.awaitReply(1, "done");
        ChatPage.Reply reply = page.lastReply();
        assertThat(reply.text()).isEqualTo(REPLY);
        assertThat(reply.hasCostLine()).isTrue();
        assertThat(browser.find("#status").getText()).isEqualTo("Reply complete.");
        assertThat(statusesSeen()).containsSubsequence("Connection lost, reconnecting…", "Reconnected.",
                "Reply complete.");
        assertThat(browser.<Boolean>script("return window.parleySaw.reconnectNotice;")).as("notice shown").isTrue();
        assertThat(browser.findAll(".notice-reconnecting")).as("notice removed").isEmpty();
        assertOneUpstreamStream(id);
    }

    @Test
    void resumesAResumedReplyCutAgain() {
        String id = "web-resume-" + UUID.randomUUID();
        page.send("[[sim:id=" + id + "]] [[sim:delay=10ms]] [[sim:reply=" + REPLY + "]] Count");
        awaitSomeText();
        proxy.cut();
        browser.until(driver -> statusesSeen().contains("Reconnected."));
        awaitMoreTextThan(page.lastReply().text().length() + 40);
        assertThat(counters(id).path("streamsCompleted").asLong()).as("still streaming when cut again").isZero();

        proxy.cut();

        page.awaitReply(1, "done");
        assertThat(page.lastReply().text()).isEqualTo(REPLY);
        assertThat(statusesSeen()).containsSubsequence("Connection lost, reconnecting…", "Reconnected.",
                "Connection lost, reconnecting…", "Reconnected.", "Reply complete.");
        assertOneUpstreamStream(id);
    }

    @Test
    void resumesOnceTheServerIsReachableAgain() {
        String id = "web-resume-" + UUID.randomUUID();
        page.send("[[sim:id=" + id + "]] [[sim:delay=10ms]] [[sim:reply=" + REPLY + "]] Count");
        awaitSomeText();
        int refusedBefore = proxy.refused();

        proxy.refuse();

        // The page tries again, more than once, and says what it is doing meanwhile.
        browser.until(driver -> proxy.refused() >= refusedBefore + 2);
        assertThat(browser.find(".msg-assistant .notice-reconnecting").getText())
                .isEqualTo("Connection lost, reconnecting…");
        assertThat(browser.find("#status").getText()).isEqualTo("Connection lost, reconnecting…");
        assertThat(page.lastReply().state()).isEqualTo("streaming");
        assertThat(browser.find("#stop").isEnabled()).isTrue();

        proxy.admit();

        page.awaitReply(1, "done");
        ChatPage.Reply reply = page.lastReply();
        assertThat(reply.text()).isEqualTo(REPLY);
        assertThat(reply.hasCostLine()).isTrue();
        assertThat(browser.findAll(".notice-reconnecting")).isEmpty();
        assertOneUpstreamStream(id);
    }

    @Test
    void stopAfterAResumeStillEndsTheUpstreamRequest() {
        String id = "web-resume-stop-" + UUID.randomUUID();
        // 40 s of reply, unless stopped.
        page.send("[[sim:id=" + id + "]] [[sim:tokens=2000]] [[sim:delay=20ms]] Go on and on");
        awaitSomeText();
        proxy.cut();
        browser.until(driver -> statusesSeen().contains("Reconnected."));
        awaitMoreTextThan(page.lastReply().text().length());

        browser.find("#stop").click();

        page.awaitReply(1, "stopped");
        String textWhenStopped = page.lastReply().text();
        assertThat(browser.find(".notice-stopped").getText()).startsWith("Stopped.");
        // The resumed stream is not the turn's first connection, and a resumable turn outlives its connections: only
        // the page's DELETE can have stopped it, and with it the upstream stream.
        await().atMost(Duration.ofSeconds(20)).until(() -> counters(id).path("streamsAbandoned").asLong() == 1);
        JsonNode counters = counters(id);
        assertThat(counters.path("streamsStarted").asLong()).isOne();
        assertThat(counters.path("streamsCompleted").asLong()).isZero();
        ChatPage.Reply after = page.lastReply();
        assertThat(after.text()).isEqualTo(textWhenStopped);
        assertThat(after.hasCostLine()).isFalse();
    }

    @Test
    void stopWhileReconnectingStopsTheTurnOnceTheServerIsReachable() {
        String id = "web-resume-stop-" + UUID.randomUUID();
        page.send("[[sim:id=" + id + "]] [[sim:tokens=2000]] [[sim:delay=20ms]] Go on and on");
        awaitSomeText();
        int refusedBefore = proxy.refused();
        proxy.refuse();
        browser.until(driver -> proxy.refused() > refusedBefore && !browser.findAll(".notice-reconnecting").isEmpty());

        browser.find("#stop").click();

        page.awaitReply(1, "stopped");
        assertThat(browser.find(".notice-stopped").getText()).startsWith("Stopped.");
        assertThat(browser.findAll(".notice-reconnecting")).isEmpty();
        assertThat(browser.find("#send").isEnabled()).isTrue();
        // The page's DELETE meets the outage too, and is tried again until it gets through.
        int refusedAtStop = proxy.refused();
        browser.until(driver -> proxy.refused() > refusedAtStop);
        proxy.admit();
        await().atMost(Duration.ofSeconds(20)).until(() -> counters(id).path("streamsAbandoned").asLong() == 1);
        assertThat(counters(id).path("streamsCompleted").asLong()).isZero();
        assertThat(page.lastReply().hasCostLine()).isFalse();
    }

    @Test
    void newChatDuringAReplyStopsTheTurn() {
        String id = "web-resume-new-chat-" + UUID.randomUUID();
        page.send("[[sim:id=" + id + "]] [[sim:tokens=2000]] [[sim:delay=20ms]] Go on and on");
        awaitSomeText();

        browser.find("#new-chat").click();

        assertThat(page.replyCount()).isZero();
        assertThat(browser.find("#send").isEnabled()).isTrue();
        await().atMost(Duration.ofSeconds(20)).until(() -> counters(id).path("streamsAbandoned").asLong() == 1);
        assertThat(counters(id).path("streamsCompleted").asLong()).isZero();
    }

    private void awaitSomeText() {
        awaitMoreTextThan(40);
    }

    private void awaitMoreTextThan(int characters) {
        browser.until(driver -> page.lastReply() != null && page.lastReply().text().length() > characters);
    }

    /** The page's live region and reconnect notice, as they change: one can be too short-lived to poll for. */
    private void watchStatusAndNotices() {
        browser.script("""
                window.parleySaw = { statuses: [], reconnectNotice: false };
                const status = document.getElementById('status');
                new MutationObserver(() => {
                  const seen = window.parleySaw;
                  if (seen.statuses[seen.statuses.length - 1] !== status.textContent) {
                    seen.statuses.push(status.textContent);
                  }
                  if (document.querySelector('.msg-assistant .notice-reconnecting')) {
                    seen.reconnectNotice = true;
                  }
                }).observe(document.body, { subtree: true, childList: true, characterData: true });
                """);
    }

    private List<String> statusesSeen() {
        return browser.script("return window.parleySaw.statuses;");
    }

    /** The simulator saw one stream for the turn, and it finished: resuming never made a second, paid, call. */
    private static void assertOneUpstreamStream(String id) {
        JsonNode counters = counters(id);
        assertThat(counters.path("requests").asLong()).as(counters.toString()).isOne();
        assertThat(counters.path("streamsStarted").asLong()).as(counters.toString()).isOne();
        assertThat(counters.path("streamsCompleted").asLong()).as(counters.toString()).isOne();
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
