package dev.parley.anthropic;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One message of a request's conversation: role {@code user} or {@code assistant}, and its blocks. */
@JsonIgnoreProperties(ignoreUnknown = true)
@RegisterForReflection
public record InputMessage(String role, List<ContentBlock> content) {

    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";

    public InputMessage {
        content = List.copyOf(content);
    }

    public static InputMessage user(String text) {
        return new InputMessage(USER, List.of(new ContentBlock.Text(text)));
    }

    public static InputMessage user(List<ContentBlock> content) {
        return new InputMessage(USER, content);
    }

    public static InputMessage assistant(List<ContentBlock> content) {
        return new InputMessage(ASSISTANT, content);
    }
}
