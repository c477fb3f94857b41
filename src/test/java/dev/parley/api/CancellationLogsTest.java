package dev.parley.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.api.SseTestClient.Frame;
import dev.parley.harness.LogCapture;

/**
 * A client that goes away mid-stream is daily life, not an incident: its turn logs one INFO line with the request id
 * (outcome {@code client_cancelled}) and nothing at WARN or above, so alerts on ERROR do not page anyone for a Stop
 * press. (In-process: it reads the log records, so it has no packaged-application twin.)
 */
@QuarkusTest
class CancellationLogsTest {

    @TestHTTPResource("/")
    URI app;

    @Test
    void aClientHangingUpLogsOneInfoLineAndNothingLouder() {
        String id = ChatStreamTest.uniqueId();
        String requestId = "hangup-" + id;
        SseTestClient sse = new SseTestClient(app);
        try (LogCapture logs = LogCapture.everything()) {
            List<Frame> partial = sse.streamAndHangUp(
                    ChatStreamTest.body("[[sim:id=" + id + "]] [[sim:tokens=200]] [[sim:delay=50ms]]"),
                    frame -> "text".equals(frame.event()), requestId);
            assertThat(partial).filteredOn(frame -> !frame.isComment()).extracting(Frame::event)
                    .containsExactly("start", "text");
            await().atMost(Duration.ofSeconds(5)).until(() -> sse.simulatorCounter(id, "streamsAbandoned") == 1);

            await().atMost(Duration.ofSeconds(5)).until(() -> logs.lines().stream()
                    .anyMatch(line -> requestId.equals(line.requestId())
                            && line.level().intValue() == Level.INFO.intValue()
                            && line.message().startsWith("turn client_cancelled")));
            // Every logger counts (Mutiny used to log a dropped StreamResetException as an ERROR per cancelled stream),
            // the simulator's side of the same connection going away included.
            assertThat(logs.lines()).filteredOn(line -> line.level().intValue() > Level.INFO.intValue())
                    .as("warnings and errors while a client hung up").isEmpty();
            assertThat(given().get(app.resolve("/q/health/live")).statusCode()).isEqualTo(200);
        }
    }
}
