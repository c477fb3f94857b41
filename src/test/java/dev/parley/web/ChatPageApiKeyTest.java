package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.parley.api.CallerAuthentication;

/** The chat page against a server in {@code api-key} mode: it asks for a key and sends it as a bearer token. */
@QuarkusTest
@TestProfile(ChatPageApiKeyTest.KeyRequired.class)
class ChatPageApiKeyTest extends InChromium {

    static final String KEY = "pk-web-page-0123456789";

    public static class KeyRequired extends PatientUpstream {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("parley.auth.mode", "api-key");
            // The server holds only the key's hash.
            overrides.put("parley.auth.keys.web-tester.sha256", CallerAuthentication.sha256(KEY));
            return overrides;
        }
    }

    @TestHTTPResource("/")
    URL root;

    @BeforeEach
    void forgetTheKey() {
        browser.open(root.toString());
        browser.script("sessionStorage.clear();");
    }

    @Test
    void asksForAKeyThenChatsWithIt() {
        browser.open(root.toString());
        // The page itself needs no key; the API does, and the page says so.
        browser.until(driver -> browser.find("#status").getText().startsWith("This server needs an API key."));
        assertThat(browser.find("#key-panel").getAttribute("open")).isNotNull();
        assertThat(browser.find("#upstream-badge").isDisplayed()).isFalse();

        browser.find("#api-key").sendKeys(KEY);
        browser.find("#save-key").click();

        browser.until(driver -> browser.find("#upstream-badge").isDisplayed());
        assertThat(browser.<String>script("return sessionStorage.getItem('parley.apiKey');")).isEqualTo(KEY);
        ChatPage page = new ChatPage(browser);
        page.send("[[sim:reply=Welcome, key holder.]]");
        WebElement reply = page.awaitReply(1, "done");
        assertThat(page.text(reply, ".reply-text")).isEqualTo("Welcome, key holder.");

        // A reload keeps the key for this tab, so the page works straight away.
        new ChatPage(browser).open(root);
        assertThat(browser.find("#key-panel").getAttribute("open")).isNull();
    }

    @Test
    void aWrongKeyIsRefusedReadably() {
        browser.script("sessionStorage.setItem('parley.apiKey', 'pk-wrong-key');");
        browser.open(root.toString());
        browser.until(driver -> browser.find("#status").getText().startsWith("This server needs an API key."));
        assertThat(browser.find("#api-key").getAttribute("value")).isEqualTo("pk-wrong-key");
    }
}
