package dev.parley.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;

/**
 * A blocking tool inside the application ({@link SlowTestTool}, 1 s timeout in the test profile): it runs off the
 * event loop, in parallel with others, and is interrupted when it times out or when {@code invokeAll} is cancelled.
 * The tool sleeps; the tests only wait for what it reports.
 */
@QuarkusTest
class BlockingToolsTest {

    private static final Duration NAP = Duration.ofMillis(600);

    @Inject
    ToolRegistry registry;

    @Inject
    SlowTestTool slowTool;

    @Inject
    ObjectMapper mapper;

    private ToolCall nap(String label, Duration duration) {
        return new ToolCall("toolu_" + label, "slow_test_tool",
                mapper.createObjectNode().put("label", label).put("millis", duration.toMillis()));
    }

    private static String label() {
        return UUID.randomUUID().toString();
    }

    @Test
    void aBlockingToolThatOutlivesItsTimeoutIsInterruptedAndReportedAsTimedOut() {
        String label = label();

        List<ToolResult> results = registry.invokeAll(List.of(nap(label, Duration.ofMinutes(1))))
                .collect().asList().await().atMost(Duration.ofSeconds(10));

        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.isError()).isTrue();
            assertThat(result.content()).isEqualTo("Tool 'slow_test_tool' timed out after 1s");
            assertThat(result.duration()).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(5));
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> slowTool.interrupted(label));
    }

    @Test
    void severalSlowCallsRunInParallel() {
        List<String> labels = IntStream.range(0, 6).mapToObj(i -> label()).toList();
        long started = System.nanoTime();

        List<ToolResult> results = registry.invokeAll(labels.stream().map(label -> nap(label, NAP)).toList())
                .collect().asList().await().atMost(Duration.ofSeconds(10));

        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertThat(results).hasSize(6).allSatisfy(result -> {
            assertThat(result.isError()).as(result.content()).isFalse();
            assertThat(result.content()).isEqualTo("slept 600 ms");
        });
        // One after the other they would take 3.6 s; together about one nap.
        assertThat(took).isLessThan(NAP.multipliedBy(3));
        long lastStart = labels.stream().mapToLong(label -> slowTool.nap(label).startedNanos()).max().orElseThrow();
        long firstEnd = labels.stream().mapToLong(label -> slowTool.nap(label).endedNanos()).min().orElseThrow();
        assertThat(lastStart).as("every nap started before the first one ended").isLessThan(firstEnd);
    }

    @Test
    void cancellingInvokeAllInterruptsARunningBlockingTool() {
        String label = label();
        AssertSubscriber<ToolResult> subscriber = registry.invokeAll(List.of(nap(label, Duration.ofMinutes(1))))
                .subscribe().withSubscriber(AssertSubscriber.create(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> slowTool.started(label));

        subscriber.cancel();

        await().atMost(Duration.ofSeconds(5)).until(() -> slowTool.interrupted(label));
        // Had the timeout come first, its result would have been emitted: the cancellation did the interrupting.
        assertThat(subscriber.getItems()).isEmpty();
    }
}
