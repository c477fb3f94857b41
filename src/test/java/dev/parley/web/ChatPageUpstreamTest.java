package dev.parley.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URL;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

import dev.parley.harness.StandInUpstream;

/**
 * The chat page's badge when parley's upstream is not the embedded simulator: it says what the upstream said it is,
 * here parley's simulator at a base URL of its own (as in another process), reached through {@link StandInUpstream}.
 */
@QuarkusTest
@TestProfile(ChatPageUpstreamTest.SimulatorElsewhere.class)
class ChatPageUpstreamTest extends InChromium {

    public static class SimulatorElsewhere extends PatientUpstream {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("parley.anthropic.base-url", StandInUpstream.baseUrl(StandInUpstream.Mode.DOWN));
            return overrides;
        }
    }

    @TestHTTPResource("/")
    URL root;

    @TestHTTPResource("/simulator")
    URI simulator;

    @Test
    void saysSimulatorOnlyOnceTheUpstreamSaidSo() {
        StandInUpstream.set(StandInUpstream.Mode.DOWN);
        ChatPage page = new ChatPage(browser).open(root);
        assertThat(browser.find("#upstream-badge").getText()).isEqualToIgnoringCase("upstream unknown");

        StandInUpstream.forwardTo(simulator);
        StandInUpstream.set(StandInUpstream.Mode.SIMULATOR);
        page.send("[[sim:reply=From afar.]]");
        page.awaitReply(1, "done");
        assertThat(page.lastReply().text()).isEqualTo("From afar.");

        // After a reply, a page that did not know asks again.
        browser.until(driver -> "simulator".equals(browser.find("#upstream-badge").getAttribute("data-upstream")));
        assertThat(browser.find("#upstream-badge").getText()).isEqualToIgnoringCase("simulator");
    }
}
