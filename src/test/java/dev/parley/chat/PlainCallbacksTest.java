package dev.parley.chat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Function;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/** The running application gives Mutiny no callback decorator, so no operator call pays for context propagation. */
@QuarkusTest
class PlainCallbacksTest {

    @Test
    void operatorCallbacksAreNotWrapped() {
        Function<String, String> callback = String::trim;
        assertThat(Infrastructure.decorate(callback)).isSameAs(callback);
    }
}
