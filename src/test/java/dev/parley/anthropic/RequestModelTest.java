package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class RequestModelTest {

    @Test
    void readsTheTopLevelModelWhereverItIs() {
        assertThat(model("{\"model\":\"claude-sonnet-4-6\",\"max_tokens\":1}")).isEqualTo("claude-sonnet-4-6");
        assertThat(model("{\"messages\":[{\"role\":\"user\",\"content\":{\"model\":\"nested\"}}],"
                + "\"metadata\":{\"model\":\"no\"},\"model\":\"claude-haiku-4-5\"}")).isEqualTo("claude-haiku-4-5");
    }

    @Test
    void aBodyWithoutAModelNamesNone() {
        assertThat(model("{\"max_tokens\":1}")).isEmpty();
        assertThat(model("{\"model\":42}")).isEmpty();
        assertThat(model("[1, 2]")).isEmpty();
        assertThat(model("{\"model\":")).isEmpty();
    }

    private static String model(String body) {
        return RequestModel.of(body.getBytes(StandardCharsets.UTF_8));
    }
}
