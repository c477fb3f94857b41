package dev.parley.web;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The chat page at {@code /} in a real (headless) Chromium against the embedded simulator: what a person sees while a
 * reply streams, calls tools, fails, is stopped, or contains Markdown or hostile HTML. Each test leaves a screenshot
 * in {@code target/screenshots/}.
 */
@QuarkusTest
@TestProfile(PatientUpstream.class)
class ChatPageTest extends InChromium {

    private static final ObjectMapper EXACT = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    @TestHTTPResource("/")
    URL root;

    private ChatPage page;

    @BeforeEach
    void openPage() {
        browser.resize(Chromium.DESKTOP);
        page = new ChatPage(browser).open(root);
    }

    @Test
    void saysTheRepliesComeFromTheSimulatorAndOffersTheServersAssistants() {
        WebElement badge = browser.find("#upstream-badge");
        assertThat(badge.getText()).isEqualToIgnoringCase("simulator");

        List<String> assistants = new Select(browser.find("#assistant")).getOptions().stream()
                .map(option -> option.getAttribute("value")).toList();
        assertThat(assistants).containsExactly("default", "cached-loop", "cached1h", "cached5m", "concise",
                "fallback-writer", "omitted-thinker", "plain", "quiet-thinker", "standby", "standby-at-once", "thinker",
                "thinker-standby", "toolbox", "unpriced");
        assertThat(new Select(browser.find("#assistant")).getFirstSelectedOption().getText())
                .isEqualTo("default — A helpful engineering assistant");
    }

    @Test
    void showsTextBeforeTheReplyIsCompleteThenItsTokensAndCost() {
        page.send("[[sim:tokens=60]] [[sim:delay=50ms]] Tell me a story");

        ChatPage.Reply partial = browser.until(driver -> {
            ChatPage.Reply reply = page.lastReply();
            return reply != null && !reply.text().isEmpty() ? reply : null;
        });
        assertThat(partial.state()).isEqualTo("streaming");
        assertThat(partial.hasCostLine()).isFalse();
        assertThat(browser.find("#stop").isEnabled()).isTrue();

        WebElement reply = page.awaitReply(1, "done");
        assertThat(page.lastReply().text()).startsWith(partial.text()).hasSizeGreaterThan(partial.text().length());
        assertThat(browser.find("#stop").isEnabled()).isFalse();

        // The line adds up at the configured prices. 60 output tokens were asked for; a retry after a load-induced
        // timeout would add the failed attempts' usage (at most two retries, each at most a token), which parley sums.
        String costLine = page.text(reply, ".reply-meta");
        Matcher tokens = Pattern
                .compile("^([\\d,]+) input · ([\\d,]+) output tokens · \\$([\\d.]+) · claude-sonnet-4-6 · ")
                .matcher(costLine);
        assertThat(tokens.find()).as(costLine).isTrue();
        long input = Long.parseLong(tokens.group(1).replace(",", ""));
        long output = Long.parseLong(tokens.group(2).replace(",", ""));
        assertThat(output).isBetween(60L, 62L);
        Config config = ConfigProvider.getConfig();
        BigDecimal expected = config.getValue("parley.pricing.models.claude-sonnet-4-6.input", BigDecimal.class)
                .multiply(BigDecimal.valueOf(input))
                .add(config.getValue("parley.pricing.models.claude-sonnet-4-6.output", BigDecimal.class)
                        .multiply(BigDecimal.valueOf(output)))
                .movePointLeft(6);
        assertThat(new BigDecimal(tokens.group(3))).isEqualByComparingTo(expected);
        assertThat(browser.find("#session-total").getText())
                .isEqualTo("Session: 1 reply · " + count(input + output) + " tokens · $" + tokens.group(3));
    }

    @Test
    void showsToolCallsAsCardsWithTheirResults() {
        // The simulated model calls get_current_time for a question about the time, with the zone it names.
        page.send("What time is it in Europe/Oslo?");

        WebElement reply = page.awaitReply(1, "done");
        WebElement card = reply.findElement(By.cssSelector(".tool-card"));
        assertThat(card.getAttribute("data-state")).isEqualTo("done");
        assertThat(page.text(card, ".tool-name")).isEqualTo("get_current_time");
        assertThat(page.text(card, ".tool-input")).contains("\"timezone\": \"Europe/Oslo\"");
        assertThat(page.text(card, ".tool-output")).contains("\"timezone\": \"Europe/Oslo\"").contains("dayOfWeek");
        assertThat(page.text(card, ".tool-status")).matches("done in \\d+ ms");
        // Round 1's preamble, the card, then round 2's answer: in the order they streamed.
        List<String> parts = reply.findElements(By.cssSelector(".reply-body > :not(.notice)")).stream()
                .map(part -> part.getAttribute("class")).toList();
        assertThat(parts).containsExactly("reply-text", "tool-card", "reply-text");
        assertThat(page.text(reply, ".reply-meta")).contains(" tokens · $").contains("2 rounds");
    }

    @Test
    void followsEveryReplyAndErrorInAConversationTallerThanTheWindow() {
        browser.resize(new Dimension(900, 600));
        // Nobody scrolls. The first reply alone is taller than the window; the second calls a tool, whose card grows
        // the page at once, and answers at length; the third fails after its tool call. (Three turns: the test
        // profile keeps at most six messages of history.)
        page.send("[[sim:tokens=150]] Fill the window");
        page.awaitReply(1, "done");
        assertThat(page.latestReplyEndIsInView()).as("the cost line of reply 1 is on screen").isTrue();
        assertThat(page.scrollY()).as("the page has scrolled").isPositive();

        String toolTurn = "[[sim:tool=get_stock_price {\"ticker\":\"AAPL\"}]] [[sim:tokens=80]] What is AAPL at?";
        page.send(toolTurn);
        page.awaitReply(2, "done");
        assertThat(page.latestReplyEndIsInView()).as("the cost line of reply 2 is on screen").isTrue();

        // Round 1 calls the tool, round 2 is refused.
        page.send("[[sim:id=" + UUID.randomUUID() + "]] [[sim:fault=none]] [[sim:fault=400 times=always]] " + toolTurn);
        WebElement failed = page.awaitReply(3, "error");
        assertThat(page.text(failed, ".reply-error")).isEqualTo("The model service refused this request.");
        assertThat(failed.findElements(By.cssSelector(".tool-card"))).hasSize(1);
        assertThat(page.latestReplyEndIsInView()).as("the error is on screen").isTrue();
    }

    @Test
    void leavesAReaderWhoScrolledUpWhereTheyAreAndFollowsAgainAtTheEnd() {
        browser.resize(new Dimension(900, 600));
        page.send("[[sim:tokens=150]] Fill the window");
        page.awaitReply(1, "done");

        page.send("[[sim:tokens=600]] [[sim:delay=10ms]] Go on and on");
        awaitMoreText(200);
        page.wheelUp(300);
        // Long enough for the wheel's scroll to have come to rest, while the reply goes on growing below.
        awaitMoreText(300);
        long reading = page.scrollY();
        page.awaitReply(2, "done");
        assertThat(page.scrollY()).as("where the reader scrolled to").isEqualTo(reading);
        assertThat(page.latestReplyEndIsInView()).isFalse();

        page.send("[[sim:tokens=600]] [[sim:delay=10ms]] And on");
        awaitMoreText(200);
        page.wheelUp(300);
        awaitMoreText(100);
        page.wheelDown(100_000);
        page.awaitReply(3, "done");
        assertThat(page.latestReplyEndIsInView()).as("followed again from the end").isTrue();
    }

    /** Waits until the latest reply has grown by {@code characters}. */
    private void awaitMoreText(int characters) {
        int now = page.lastReply().text().length();
        browser.until(driver -> page.lastReply().text().length() >= now + characters);
    }

    @Test
    void showsTheNumbersOfAToolResultAsTheToolWroteThem() {
        page.send("[[sim:tool=get_stock_price {\"ticker\":\"AAPL\"}]] What is AAPL at?");

        WebElement card = page.awaitReply(1, "done").findElement(By.cssSelector(".tool-card"));
        // The tool's result is {"ticker":"AAPL","price":178.50,...}: a price, not the float 178.5.
        assertThat(page.text(card, ".tool-output")).contains("\"price\": 178.50,");
    }

    @Test
    void stopEndsTheReplyAndTheUpstreamRequest() {
        String id = "web-stop-" + UUID.randomUUID();
        page.send("[[sim:id=" + id + "]] [[sim:tokens=2000]] [[sim:delay=20ms]] Go on and on");
        browser.until(driver -> !page.lastReply().text().isEmpty());

        browser.find("#stop").click();

        page.awaitReply(1, "stopped");
        String textWhenStopped = page.lastReply().text();
        assertThat(browser.find(".notice-stopped").getText()).startsWith("Stopped.");
        assertThat(browser.find("#send").isEnabled()).isTrue();
        assertThat(browser.find("#stop").isEnabled()).isFalse();
        // parley saw the connection close and cancelled the upstream stream, which the simulator saw abandoned.
        // Every stream of this turn (more than one if a slow machine made parley retry) was abandoned, none finished.
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            JsonNode counters = simulatorCounters(id);
            long started = counters.path("streamsStarted").asLong();
            return started >= 1 && counters.path("streamsAbandoned").asLong() == started;
        });
        assertThat(simulatorCounters(id).path("streamsCompleted").asLong()).isZero();
        ChatPage.Reply after = page.lastReply();
        assertThat(after.text()).isEqualTo(textWhenStopped);
        assertThat(after.hasCostLine()).isFalse();
    }

    @Test
    void showsErrorsAsSentences() {
        // Every attempt fails, so even a retry after a load-induced timeout meets the same fault.
        page.send("[[sim:id=" + UUID.randomUUID() + "]] [[sim:fault=400 times=always]] Hello");
        WebElement rejected = page.awaitReply(1, "error");
        assertThat(page.text(rejected, ".reply-error")).isEqualTo("The model service refused this request.");

        page.send("[[sim:id=" + UUID.randomUUID() + "]] [[sim:fault=401 times=always]] Hello again");
        WebElement auth = page.awaitReply(2, "error");
        assertThat(page.text(auth, ".reply-error")).startsWith("The model service refused the server's credentials.");

        // Refused before the upstream is called: an HTTP 413 problem, shown the same way.
        browser.script("document.getElementById('message').value = 'x'.repeat(2001);");
        browser.find("#message").sendKeys(Keys.ENTER);
        WebElement tooLong = page.awaitReply(3, "error");
        assertThat(page.text(tooLong, ".reply-error"))
                .isEqualTo("Your message is too long for this server. Please shorten it.");
        assertThat(browser.find("#status").getText()).isEqualTo(page.text(tooLong, ".reply-error"));
        assertThat(browser.find("#message").getAttribute("value")).as("given back to be shortened").hasSize(2001);
    }

    @Test
    void announcesARetryWithItsWait() {
        String id = "web-retry-" + UUID.randomUUID();
        page.send("[[sim:id=" + id + "]] [[sim:fault=529 retry-after=2]] [[sim:reply=Made it.]] Hello");

        browser.until(driver -> browser.findAll(".notice-retry").stream()
                .anyMatch(notice -> notice.getText().matches("The model is busy, retrying in 2 s \\(attempt \\d\\)…")));

        WebElement reply = page.awaitReply(1, "done");
        assertThat(page.text(reply, ".reply-text")).isEqualTo("Made it.");
        assertThat(simulatorCounters(id).path("requests").asLong()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void rendersMarkdownAndSendsMultiLineMessagesWithShiftEnter() {
        page.type("""
                [[sim:reply=# Release notes

                The **new** build is *faster* and ***safer***:

                - one `fix`
                - two [docs](https://example.com/docs)
                  1. nested

                ```java
                int x = 1 < 2 ? 3 : 4;
                ```
                A [bad link](javascript:alert(1)) stays text.]]""");
        assertThat(browser.find("#message").getAttribute("value")).contains("\n- one `fix`\n");

        browser.find("#message").sendKeys(Keys.ENTER);

        WebElement reply = page.awaitReply(1, "done");
        assertThat(browser.find("#message").getAttribute("value")).isEmpty();
        assertThat(browser.find(".msg-user .user-text").getText()).startsWith("[[sim:reply=# Release notes\n");
        WebElement text = reply.findElement(By.cssSelector(".reply-text"));
        assertThat(page.text(text, "h3.md-h1")).isEqualTo("Release notes");
        assertThat(page.text(text, "p strong")).isEqualTo("new");
        assertThat(page.text(text, "p > em")).isEqualTo("faster");
        assertThat(page.text(text, "strong > em")).isEqualTo("safer");
        List<WebElement> items = text.findElements(By.cssSelector("ul > li"));
        assertThat(items).hasSize(2);
        assertThat(page.text(items.get(0), "code.md-inline-code")).isEqualTo("fix");
        WebElement link = items.get(1).findElement(By.cssSelector("a"));
        assertThat(link.getText()).isEqualTo("docs");
        assertThat(link.getAttribute("href")).isEqualTo("https://example.com/docs");
        assertThat(link.getAttribute("rel")).isEqualTo("noopener noreferrer");
        assertThat(page.text(items.get(1), "ol > li")).isEqualTo("nested");
        WebElement code = text.findElement(By.cssSelector("pre.md-code"));
        assertThat(code.getAttribute("data-lang")).isEqualTo("java");
        assertThat(page.text(code, "code")).isEqualTo("int x = 1 < 2 ? 3 : 4;");
        assertThat(text.getText()).contains("A bad link stays text.");
        assertThat(text.findElements(By.cssSelector("a"))).hasSize(1);
    }

    @Test
    void showsHtmlInRepliesAsTextAndNeverRunsIt() {
        String hostile = "<script>window.parleyPwned = 1</script><img src=x onerror=\"window.parleyPwned = 2\">"
                + "<b>bold?</b> [click](javascript:window.parleyPwned=3)";
        page.send("[[sim:reply=" + hostile + "]]");

        WebElement reply = page.awaitReply(1, "done");
        WebElement text = reply.findElement(By.cssSelector(".reply-text"));
        assertThat(text.getText()).isEqualTo("<script>window.parleyPwned = 1</script>"
                + "<img src=x onerror=\"window.parleyPwned = 2\"><b>bold?</b> click");
        assertThat(text.findElements(By.cssSelector("script, img, b, a"))).isEmpty();
        assertThat(browser.<Boolean>script("return window.parleyPwned === undefined;")).isTrue();
        // The user's own message is text too.
        assertThat(browser.findAll(".msg-user script, .msg-user img")).isEmpty();
    }

    @Test
    void keepsTheConversationOnTheServerUntilNewChat() {
        page.send("[[sim:reply=Noted.]] Remember the number 42.");
        page.awaitReply(1, "done");
        String second = "web-conv-" + UUID.randomUUID();
        page.send("[[sim:id=" + second + "]] [[sim:reply=Still 42.]] Which number?");
        page.awaitReply(2, "done");

        JsonNode continued = simulatorRequests(second).get(0).path("body").path("messages");
        assertThat(continued).hasSize(3);
        assertThat(continued.get(1).toString()).contains("Noted.");

        browser.find("#new-chat").click();
        assertThat(page.replyCount()).isZero();
        assertThat(browser.find("#empty-hint").isDisplayed()).isTrue();
        String fresh = "web-conv-" + UUID.randomUUID();
        page.send("[[sim:id=" + fresh + "]] [[sim:reply=Hello again.]] Hi");
        page.awaitReply(1, "done");
        assertThat(simulatorRequests(fresh).get(0).path("body").path("messages")).hasSize(1);
        assertThat(browser.find("#session-total").getText()).startsWith("Session: 3 replies · ");
    }

    @Test
    void talksToTheChosenAssistant() {
        new Select(browser.find("#assistant")).selectByValue("concise");
        page.send("[[sim:reply=Short.]] Hi");

        WebElement reply = page.awaitReply(1, "done");
        assertThat(page.text(reply, ".msg-author")).isEqualTo("concise");
        assertThat(page.text(reply, ".reply-meta")).contains("claude-haiku-4-5");
    }

    @Test
    void fitsAPhoneScreen() {
        browser.resize(new Dimension(390, 844));
        page.send("[[sim:tool=get_stock_price {\"ticker\":\"NVDA\"}]] What is NVDA at?");
        WebElement reply = page.awaitReply(1, "done");

        assertThat(reply.findElements(By.cssSelector(".tool-card"))).hasSize(1);
        long overflow = browser.<Long>script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertThat(overflow).as("horizontal overflow in px").isLessThanOrEqualTo(0);
        assertThat(browser.find("#send").isDisplayed()).isTrue();
        assertThat(browser.find("#stop").isDisplayed()).isTrue();
    }

    @Test
    void everyControlHasALabelAndEnterIsTheOnlyWayToSendFromTheKeyboard() {
        for (String control : List.of("assistant", "message", "api-key")) {
            assertThat(browser.findAll("label[for='" + control + "']")).as(control).hasSize(1);
        }
        assertThat(browser.find("#messages").getAttribute("role")).isEqualTo("log");
        assertThat(browser.find("#status").getAttribute("aria-live")).isEqualTo("polite");

        page.type("first line\nsecond line");
        assertThat(page.replyCount()).isZero();
        browser.find("#message").sendKeys(Keys.ENTER);
        page.awaitReply(1, "done");
        assertThat(browser.find(".msg-user .user-text").getText()).isEqualTo("first line\nsecond line");
    }

    @Test
    void theScriptNeverWritesHtml() {
        String script = given().get("/app.js").then().statusCode(200).extract().asString();
        assertThat(script).doesNotContain("innerHTML").doesNotContain("outerHTML")
                .doesNotContain("insertAdjacentHTML").doesNotContain("document.write").doesNotContain("eval(");
    }

    private static String count(long tokens) {
        return String.format(Locale.US, "%,d", tokens);
    }

    private static JsonNode simulatorCounters(String id) {
        return json(given().get("/simulator/admin/counters?id=" + id).then().statusCode(200).extract().asString());
    }

    private static JsonNode simulatorRequests(String id) {
        return json(given().get("/simulator/admin/requests?id=" + id).then().statusCode(200).extract().asString());
    }

    private static JsonNode json(String body) {
        try {
            return EXACT.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException(body, e);
        }
    }
}
