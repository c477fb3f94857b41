package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The chat page when a tool needs approval, in a real (headless) Chromium: the tool's card asks, Approve runs the tool
 * and the reply goes on with its result, Deny leaves it unrun and the model answers knowing it.
 */
@QuarkusTest
@TestProfile(ChatPageApprovalTest.CalculateNeedsApproval.class)
class ChatPageApprovalTest extends InChromium {

    /** {@code calculate} needs approval; the upstream as patient as in the other page tests. */
    public static class CalculateNeedsApproval extends PatientUpstream {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("parley.tools.needs-approval", "calculate");
            return overrides;
        }
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
    void approvingWithTheKeyboardRunsTheToolAndTheReplyGoesOnWithItsResult() {
        page.send("[[sim:tool=calculate {\"expression\":\"6*7\"}]] Work it out");

        WebElement card = asked();
        assertThat(card.getAttribute("data-state")).isEqualTo("awaiting");
        assertThat(page.text(card, ".tool-status")).isEqualTo("waiting for your approval");
        assertThat(page.text(card, ".tool-input")).contains("\"expression\": \"6*7\"");
        assertThat(page.text(card, ".tool-approval-question")).isEqualTo("Run calculate with this input?");
        assertThat(card.findElement(By.cssSelector(".tool-approval")).getAttribute("aria-label"))
                .isEqualTo("Approve or deny calculate");
        // The page waits for the answer: nothing of the next round yet.
        assertThat(page.lastReply().state()).isEqualTo("streaming");

        WebElement approve = card.findElement(By.cssSelector(".tool-approve"));
        approve.sendKeys(Keys.ENTER);

        WebElement reply = page.awaitReply(1, "done");
        assertThat(card.getAttribute("data-state")).isEqualTo("done");
        assertThat(page.text(card, ".tool-approval-outcome")).isEqualTo("Approved");
        assertThat(approve.isEnabled()).isFalse();
        assertThat(card.findElement(By.cssSelector(".tool-deny")).isEnabled()).isFalse();
        assertThat(page.text(card, ".tool-output")).isEqualTo("42");
        assertThat(page.lastReply().text()).contains("42");
        assertThat(page.text(reply, ".reply-meta")).contains("2 rounds");
    }

    @Test
    void denyingLeavesTheToolUnrunAndTheModelAnswersKnowingIt() {
        page.send("[[sim:tool=calculate {\"expression\":\"2+2\"}]] Work it out");

        WebElement card = asked();
        card.findElement(By.cssSelector(".tool-deny")).click();

        page.awaitReply(1, "done");
        assertThat(card.getAttribute("data-state")).isEqualTo("error");
        assertThat(page.text(card, ".tool-approval-outcome")).isEqualTo("Denied");
        assertThat(card.findElement(By.cssSelector(".tool-approve")).isEnabled()).isFalse();
        assertThat(page.text(card, ".tool-error")).isEqualTo("The user denied this tool call.");
        assertThat(page.lastReply().text()).contains("The user denied this tool call.");
    }

    /** The card of the call that waits for approval, once its buttons are there to press. */
    private WebElement asked() {
        return browser.until(driver -> driver.findElements(By.cssSelector(".tool-card")).stream()
                .filter(card -> !card.findElements(By.cssSelector(".tool-approve")).isEmpty()
                        && card.findElement(By.cssSelector(".tool-approve")).isEnabled())
                .findFirst().orElse(null));
    }
}
