package dev.parley.tool;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/**
 * A test-only blocking tool that sleeps as long as it is told, and remembers, per label, when each nap started and
 * ended and whether it was interrupted. Its timeout in the test profile is 1 s
 * ({@code %test.parley.tools.timeouts.slow_test_tool}).
 */
@ApplicationScoped
public class SlowTestTool implements Tool<SlowTestTool.Nap> {

    /** How long to sleep, and a label to find the nap by afterwards. */
    @RegisterForReflection
    public record Nap(@JsonPropertyDescription("Names this nap") String label,
            @JsonPropertyDescription("How long to sleep") long millis) {
    }

    /** What happened to one nap; {@code endedNanos} is 0 until it ended. */
    public record Record(long startedNanos, long endedNanos, boolean interrupted) {
    }

    private final Map<String, Record> naps = new ConcurrentHashMap<>();

    @Override
    public String name() {
        return "slow_test_tool";
    }

    @Override
    public String description() {
        return "Sleeps for a while (tests only)";
    }

    @Override
    public Class<Nap> inputType() {
        return Nap.class;
    }

    @Override
    public boolean blocking() {
        return true;
    }

    @Override
    public Uni<String> invoke(Nap nap) {
        long started = System.nanoTime();
        naps.put(nap.label(), new Record(started, 0, false));
        boolean interrupted = false;
        try {
            // Blocks like a slow JDBC call would: only the time running out or an interrupt ends the wait.
            new CountDownLatch(1).await(nap.millis(), TimeUnit.MILLISECONDS);
            return Uni.createFrom().item("slept " + nap.millis() + " ms");
        } catch (InterruptedException e) {
            interrupted = true;
            Thread.currentThread().interrupt();
            throw new ToolException("interrupted");
        } finally {
            naps.put(nap.label(), new Record(started, System.nanoTime(), interrupted));
        }
    }

    public boolean started(String label) {
        return naps.containsKey(label);
    }

    public boolean interrupted(String label) {
        Record nap = naps.get(label);
        return nap != null && nap.interrupted();
    }

    public Record nap(String label) {
        return naps.get(label);
    }
}
