package dev.parley.tool;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

/** Tools, configurations and calls written in a test: plain implementations, built in one line each. */
final class TestTools {

    static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules();

    private TestTools() {
    }

    /** The configuration mapping as a record. */
    record Limits(Duration defaultTimeout, Map<String, Duration> timeouts, int maxResultChars, int maxParallel)
            implements
                ToolsConfig {

        static Limits defaults() {
            return new Limits(Duration.ofSeconds(10), Map.of(), 20_000, 8);
        }

        Limits defaultTimeout(Duration timeout) {
            return new Limits(timeout, timeouts, maxResultChars, maxParallel);
        }

        Limits timeout(String tool, Duration timeout) {
            return new Limits(defaultTimeout, Map.of(tool, timeout), maxResultChars, maxParallel);
        }

        Limits maxResultChars(int chars) {
            return new Limits(defaultTimeout, timeouts, chars, maxParallel);
        }

        Limits maxParallel(int calls) {
            return new Limits(defaultTimeout, timeouts, maxResultChars, calls);
        }

        @Override
        public Optional<Set<String>> needsApproval() {
            return Optional.empty();
        }

        @Override
        public Duration approvalTimeout() {
            return Duration.ofMinutes(5);
        }
    }

    /** A non-blocking tool whose behaviour is a function. */
    record FunctionTool<I>(String name, String description, Class<I> inputType, Function<I, Uni<String>> body)
            implements
                Tool<I> {

        @Override
        public Uni<String> invoke(I input) {
            return body.apply(input);
        }
    }

    static <I> Tool<I> tool(String name, Class<I> inputType, Function<I, Uni<String>> body) {
        return new FunctionTool<>(name, "A test tool called " + name, inputType, body);
    }

    static ToolRegistry registry(Limits limits, MeterRegistry meters, Tool<?>... tools) {
        return new ToolRegistry(List.of(tools), limits, MAPPER, meters);
    }

    static ToolCall call(String name, String inputJson) {
        return new ToolCall("toolu_" + name, name, json(inputJson));
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
