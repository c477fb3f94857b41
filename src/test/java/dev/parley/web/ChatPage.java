package dev.parley.web;

import java.net.URL;
import java.util.Map;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.interactions.WheelInput;

/** The chat page as a person uses it: type, press Enter, watch the latest reply. */
final class ChatPage {

    /** The latest reply as one consistent snapshot, read in a single script so no event slips in between. */
    record Reply(String state, String text, boolean hasCostLine) {
    }

    private final Chromium browser;

    ChatPage(Chromium browser) {
        this.browser = browser;
    }

    /** Loads the page and waits until it has asked the server what it talks to and which assistants exist. */
    ChatPage open(URL root) {
        browser.open(root.toString());
        browser.until(driver -> browser.find("#upstream-badge").isDisplayed()
                && browser.findAll("#assistant option").size() > 1);
        return this;
    }

    /** Types a message (new lines with Shift+Enter, as a person would) and sends it with Enter. */
    void send(String message) {
        type(message);
        browser.find("#message").sendKeys(Keys.ENTER);
    }

    void type(String message) {
        WebElement box = browser.find("#message");
        String[] lines = message.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                box.sendKeys(Keys.chord(Keys.SHIFT, Keys.ENTER));
            }
            box.sendKeys(lines[i]);
        }
    }

    int replyCount() {
        return browser.findAll(".msg-assistant").size();
    }

    Reply lastReply() {
        Map<String, Object> reply = browser.script("""
                const replies = document.querySelectorAll('.msg-assistant');
                const reply = replies[replies.length - 1];
                if (!reply) { return null; }
                return {
                  state: reply.dataset.state,
                  text: Array.from(reply.querySelectorAll('.reply-text')).map(p => p.textContent).join(''),
                  hasCostLine: reply.querySelector('.reply-meta') !== null
                };
                """);
        return reply == null
                ? null
                : new Reply((String) reply.get("state"), (String) reply.get("text"),
                        (Boolean) reply.get("hasCostLine"));
    }

    /** Waits until the latest reply (the {@code n}th, counting from 1) has ended in the given state. */
    WebElement awaitReply(int n, String state) {
        browser.until(driver -> replyCount() >= n && state.equals(lastReply().state()));
        return browser.findAll(".msg-assistant").get(n - 1);
    }

    /**
     * Whether the end of the latest reply (its cost line or its error) is on screen: below the sticky header and above
     * the sticky composer, where a person reading the page can see it.
     */
    boolean latestReplyEndIsInView() {
        return browser.script("""
                const replies = document.querySelectorAll('.msg-assistant');
                const reply = replies[replies.length - 1];
                const end = reply.querySelector('.reply-error') || reply.querySelector('.reply-meta') || reply;
                const box = end.getBoundingClientRect();
                return box.top >= document.querySelector('header.top').getBoundingClientRect().bottom
                  && box.bottom <= document.querySelector('footer.bottom').getBoundingClientRect().top;
                """);
    }

    /** How far down the page is scrolled, in CSS pixels. */
    long scrollY() {
        return Math.round(((Number) browser.script("return window.scrollY;")).doubleValue());
    }

    /** Turns the mouse wheel over the conversation, as a person scrolling up to reread does. */
    void wheelUp(int pixels) {
        wheel(-pixels);
    }

    void wheelDown(int pixels) {
        wheel(pixels);
    }

    private void wheel(int deltaY) {
        new Actions(browser.driver()).scrollFromOrigin(WheelInput.ScrollOrigin.fromElement(browser.find("#messages")),
                0, deltaY).perform();
    }

    String text(WebElement element, String css) {
        return element.findElement(By.cssSelector(css)).getText();
    }
}
