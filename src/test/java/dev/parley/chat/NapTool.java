package dev.parley.chat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

import dev.parley.tool.Tool;

/**
 * A test-only tool, discovered like any other bean: waits the given time, then answers. It counts how often it was
 * cancelled while waiting, so tests can see that a client's disconnect stops running tools.
 */
@ApplicationScoped
public class NapTool implements Tool<NapTool.Input> {

    static final AtomicInteger CANCELLED = new AtomicInteger();

    @RegisterForReflection
    public record Input(@JsonPropertyDescription("How long to nap, in milliseconds") long ms) {
    }

    @Override
    public String name() {
        return "nap";
    }

    @Override
    public String description() {
        return "Waits for the given number of milliseconds, then says so. For tests.";
    }

    @Override
    public Class<Input> inputType() {
        return Input.class;
    }

    @Override
    public Uni<String> invoke(Input input) {
        return Uni.createFrom().item("napped " + input.ms() + " ms").onItem().delayIt()
                .by(Duration.ofMillis(input.ms())).onCancellation().invoke(CANCELLED::incrementAndGet);
    }
}
