package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The model's thinking on the chat page, in a real (headless) Chromium against the embedded simulator: a collapsed
 * "Thinking" part of the reply where the model thought, its text behind a click, a note where the text is hidden, and
 * nothing when the assistant does not show thinking. Each test leaves a screenshot in {@code target/screenshots/}.
 */
@QuarkusTest
@TestProfile(PatientUpstream.class)
class ChatPageThinkingTest extends InChromium {

    /**
     * One part of a reply's body, in page order: its class, and for a thinking part its block, whether it is open,
     * whether its summary carries the live mark of a part still being written, and what it holds.
     */
    record Part(String kind, String block, boolean open, boolean live, String thinking, String note) {
    }

    @TestHTTPResource("/")
    URL root;

    private ChatPage page;

    @BeforeEach
    void openPage() {
        browser.resize(Chromium.DESKTOP);
        page = new ChatPage(browser).open(root);
    }

    @Test
    void showsThinkingAsItArrivesCollapsedBeforeTheTextAndOpensOnAClick() {
        choose("thinker");
        page.send("[[sim:thinking=60]] [[sim:delay=30ms]] [[sim:reply=Because.]] Why?");

        // While the model thinks: a collapsed part, marked as live, whose text grows.
        Part early = browser.until(driver -> {
            List<Part> parts = parts();
            return parts.size() == 1 && !parts.getFirst().thinking().isEmpty() ? parts.getFirst() : null;
        });
        assertThat(early.kind()).isEqualTo("thinking");
        assertThat(early.open()).isFalse();
        assertThat(early.live()).isTrue();

        WebElement reply = page.awaitReply(1, "done");
        List<Part> parts = parts();
        assertThat(parts).extracting(Part::kind).containsExactly("thinking", "reply-text");
        Part thought = parts.getFirst();
        assertThat(thought.thinking()).startsWith(early.thinking()).hasSizeGreaterThan(early.thinking().length());
        assertThat(thought.open()).as("still collapsed").isFalse();
        assertThat(thought.live()).as("no longer live").isFalse();
        assertThat(page.lastReply().text()).isEqualTo("Because.");

        WebElement details = reply.findElement(By.cssSelector("details.thinking"));
        WebElement summary = details.findElement(By.tagName("summary"));
        assertThat(summary.getText()).isEqualTo("Thinking");
        WebElement text = details.findElement(By.cssSelector(".thinking-text"));
        assertThat(text.isDisplayed()).as("hidden until opened").isFalse();

        summary.click();

        browser.until(driver -> text.isDisplayed());
        assertThat(text.getText()).isEqualTo(thought.thinking().strip());
        assertThat(details.getAttribute("open")).isNotNull();
    }

    @Test
    void everyRoundOfAToolLoopShowsItsOwnThinkingBeforeItsText() {
        choose("thinker");
        page.send("[[sim:thinking=6]] [[sim:tool=get_stock_price {\"ticker\":\"AAPL\"}]] What is AAPL at?");

        page.awaitReply(1, "done");
        List<Part> parts = parts();
        // The rounds are what lies between the tool cards: each thought before it wrote, one part per block.
        List<List<Part>> rounds = new ArrayList<>(List.of(new ArrayList<>()));
        for (Part part : parts) {
            if (part.kind().equals("tool-card")) {
                rounds.add(new ArrayList<>());
            } else {
                rounds.getLast().add(part);
            }
        }
        // Opus 5.5 writes what it says before a tool call in a thinking block: round 1 is two thoughts (the second
        // the note "I'll use get_stock_price."), round 2 a thought and the answer's text.
        assertThat(rounds).as("%s", parts).hasSize(2);
        assertThat(rounds.get(0)).extracting(Part::kind).containsExactly("thinking", "thinking");
        assertThat(rounds.get(0).get(1).thinking()).isEqualTo("I'll use get_stock_price.");
        assertThat(rounds.get(1)).extracting(Part::kind).containsExactly("thinking", "reply-text");
        List<Part> thoughts = parts.stream().filter(part -> part.kind().equals("thinking")).toList();
        assertThat(thoughts).extracting(Part::block).containsExactly("1", "2", "3");
        assertThat(thoughts).allSatisfy(thought -> {
            assertThat(thought.open()).isFalse();
            assertThat(thought.thinking()).isNotBlank();
        });
    }

    @Test
    void omittedThinkingIsANoteWithoutText() {
        choose("omitted-thinker");
        page.send("[[sim:thinking=8]] [[sim:reply=Fine.]] Hm");

        WebElement reply = page.awaitReply(1, "done");
        assertThat(parts()).containsExactly(new Part("thinking", "1", false, false, "", "Thinking hidden"),
                new Part("reply-text", null, false, false, "", ""));
        WebElement details = reply.findElement(By.cssSelector("details.thinking"));
        assertThat(details.getAttribute("data-hidden")).isEqualTo("omitted");

        details.findElement(By.tagName("summary")).click();

        WebElement note = details.findElement(By.cssSelector(".thinking-note"));
        browser.until(driver -> note.isDisplayed());
        assertThat(note.getText()).isEqualTo("Thinking hidden");
        assertThat(details.findElements(By.cssSelector(".thinking-text"))).isEmpty();
    }

    @Test
    void redactedThinkingIsANoteWithoutText() {
        choose("thinker");
        page.send("[[sim:thinking=redacted]] [[sim:reply=Fine.]] Hm");

        page.awaitReply(1, "done");
        assertThat(parts()).containsExactly(new Part("thinking", "1", false, false, "", "Thinking redacted"),
                new Part("reply-text", null, false, false, "", ""));
        assertThat(page.lastReply().text()).isEqualTo("Fine.");
    }

    @Test
    void anAssistantThatHidesThinkingShowsNoThinkingPart() {
        choose("quiet-thinker");
        page.send("[[sim:thinking=8]] [[sim:reply=Fine.]] Hm");

        WebElement reply = page.awaitReply(1, "done");
        assertThat(reply.findElements(By.cssSelector(".thinking"))).isEmpty();
        assertThat(page.lastReply().text()).isEqualTo("Fine.");
    }

    private void choose(String assistant) {
        new Select(browser.find("#assistant")).selectByValue(assistant);
    }

    /** The latest reply's parts, read in one script so that no event slips in between. */
    private List<Part> parts() {
        List<Map<String, Object>> parts = browser.script("""
                const replies = document.querySelectorAll('.msg-assistant');
                const reply = replies[replies.length - 1];
                if (!reply) { return []; }
                return Array.from(reply.querySelectorAll('.reply-body > :not(.notice)')).map(part => ({
                  kind: part.className,
                  block: part.dataset.block ?? null,
                  open: part.open === true,
                  live: part.matches('details') && !['none', 'normal']
                    .includes(getComputedStyle(part.querySelector('summary'), '::after').content),
                  thinking: part.querySelector('.thinking-text')?.textContent ?? '',
                  note: part.querySelector('.thinking-note')?.textContent ?? ''
                }));
                """);
        return parts.stream().map(part -> new Part((String) part.get("kind"), (String) part.get("block"),
                (Boolean) part.get("open"), (Boolean) part.get("live"), (String) part.get("thinking"),
                (String) part.get("note"))).toList();
    }
}
