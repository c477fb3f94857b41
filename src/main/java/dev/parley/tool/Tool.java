package dev.parley.tool;

import io.smallrye.mutiny.Uni;

/**
 * A tool the model may call: one CDI bean ({@code @ApplicationScoped}) per tool, discovered by {@link ToolRegistry}
 * at start-up.
 * <p>
 * The input is a record whose JSON Schema is generated from its components: every component is a required property
 * unless its type is {@code Optional<…>}; {@code @JsonPropertyDescription} on a component becomes the property's
 * description. The registry validates the model's input against that schema before {@link #invoke} is called, so a
 * tool only ever sees well-formed input. A compact constructor may reject input further by throwing an
 * {@link IllegalArgumentException}: its message is shown to the model.
 *
 * @param <I> the input record
 */
public interface Tool<I> {

    /** The name the model calls the tool by: snake_case, {@code ^[a-z][a-z0-9_]{0,63}$}, unique. */
    String name();

    /** What the tool does, when to use it and what it returns, written for the model. */
    String description();

    /** The input record; its JSON Schema is generated once at start-up. */
    Class<I> inputType();

    /**
     * Runs the tool. The item is the result text (often JSON) for the model. An expected failure (an unknown ticker,
     * a bad expression) fails the {@code Uni} with a {@link ToolException} whose message the model sees; any other
     * failure is logged and reported to the model as a generic error. The call is cancelled when it times out or
     * when the chat that asked for it goes away.
     */
    Uni<String> invoke(I input);

    /**
     * {@code true} when {@link #invoke} blocks (JDBC, a blocking HTTP client, sleeping): it is then called on a virtual
     * thread of its own, never on the event loop, and that thread is interrupted on timeout or cancellation.
     * {@code false} (the default): {@link #invoke} must return at once and do its work asynchronously.
     */
    default boolean blocking() {
        return false;
    }
}
