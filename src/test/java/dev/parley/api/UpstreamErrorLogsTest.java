package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An upstream error whose message holds parley's own API key, an {@code sk-ant-} key or a bearer token reaches the
 * log without them: what the upstream said is redacted before anything logs it.
 */
@QuarkusTest
class UpstreamErrorLogsTest {

    /** The test profile's upstream key, {@code parley.anthropic.api-key}. */
    private static final String CONFIGURED_KEY = "parley-simulator-key";
    private static final String ANTHROPIC_SHAPED = "sk-ant-api03-Zx9Yw8Vu7Ts6-Rq5Po4";
    private static final String BEARER_TOKEN = "eyJhbGciOi.J9token.value42";

    @TestHTTPResource("/")
    URI app;

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            String message = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
            StringBuilder line = new StringBuilder(String.valueOf(message));
            for (Throwable thrown = record.getThrown(); thrown != null; thrown = thrown.getCause()) {
                line.append(" | ").append(thrown);
            }
            lines.add(line.toString());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
    }

    @Test
    void keysInAnUpstreamErrorMessageAreRedactedFromEveryLogLine() {
        String id = ChatStreamTest.uniqueId();
        String message = "key_" + CONFIGURED_KEY + "_or_" + ANTHROPIC_SHAPED + "_sent_as_Authorization:_Bearer_"
                + BEARER_TOKEN;
        // Retried to the end (three attempts), streamed and one-shot, and as an event inside a 200 stream.
        String streamed = new SseTestClient(app).stream(SseTestClient.json(Map.of("message",
                "Hi [[sim:id=" + id + "]] [[sim:fault=500 times=always message=" + message + "]]"))).body();
        int oneShot = given().contentType("application/json").body(SseTestClient.json(Map.of("message",
                "Hi [[sim:id=" + id + "-2]] [[sim:fault=400 type=invalid_request_error message=" + message + "]]")))
                .post(app.resolve("/v1/chat")).statusCode();
        String inStream = new SseTestClient(app).stream(SseTestClient.json(Map.of("message",
                "Hi [[sim:id=" + id + "-3]] [[sim:fault=error-event type=invalid_request_error message=" + message
                        + "]]")))
                .body();

        assertThat(streamed).contains("event: error").doesNotContain(CONFIGURED_KEY);
        assertThat(oneShot).isEqualTo(502);
        assertThat(inStream).contains("upstream_rejected").doesNotContain(ANTHROPIC_SHAPED);
        List<String> upstreamLines = lines.stream().filter(line -> line.contains("upstream failure")).toList();
        // One line per failed turn: before the redaction, these three lines held all three secrets.
        assertThat(upstreamLines).as("the upstream failures logged").hasSizeGreaterThanOrEqualTo(3)
                .allSatisfy(line -> assertThat(line).contains("[redacted]"));
        assertThat(lines).noneSatisfy(line -> assertThat(line).containsAnyOf(CONFIGURED_KEY, ANTHROPIC_SHAPED,
                BEARER_TOKEN));
    }
}
