package dev.parley.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** Frames ready in the same event-loop turn become one item, in order, and the end comes after the last of them. */
class FrameBatchesTest {

    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void framesOfOneTurnGoOutTogetherAndTheEndFollowsThem() throws Exception {
        Received received = run(frames -> {
            frames.emit("a");
            frames.emit("b");
            frames.emit("c");
            frames.complete();
        });
        assertThat(received.items()).containsExactly("abc");
        assertThat(received.end().get(5, TimeUnit.SECONDS)).isEqualTo("completed");
    }

    @Test
    void framesOfLaterTurnsGoOutInLaterItems() throws Exception {
        Context context = vertx.getOrCreateContext();
        Received received = run(context, frames -> {
            frames.emit("a");
            context.runOnContext(later -> {
                frames.emit("b");
                frames.emit("c");
                context.runOnContext(last -> frames.complete());
            });
        });
        assertThat(received.end().get(5, TimeUnit.SECONDS)).isEqualTo("completed");
        assertThat(received.items()).containsExactly("a", "bc");
    }

    @Test
    void aFailureFollowsTheFramesBeforeIt() throws Exception {
        Received received = run(frames -> {
            frames.emit("a");
            frames.fail(new IllegalStateException("upstream gone"));
        });
        assertThat(received.end().get(5, TimeUnit.SECONDS)).isEqualTo("failed: upstream gone");
        assertThat(received.items()).containsExactly("a");
    }

    @Test
    void framesFromAnotherThreadAreWrittenOnTheResponsesEventLoopInOrder() throws Exception {
        Context context = vertx.getOrCreateContext();
        List<Boolean> onLoop = new CopyOnWriteArrayList<>();
        Received received = run(context, frames -> Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 100; i++) {
                frames.emit(i + ",");
            }
            frames.complete();
        }), item -> onLoop.add(Context.isOnEventLoopThread()));
        assertThat(received.end().get(5, TimeUnit.SECONDS)).isEqualTo("completed");
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            expected.append(i).append(',');
        }
        assertThat(String.join("", received.items())).isEqualTo(expected.toString());
        assertThat(onLoop).isNotEmpty().containsOnly(true);
    }

    private record Received(List<String> items, CompletableFuture<String> end) {
    }

    private interface Source {
        void produce(MultiEmitter<? super String> frames);
    }

    private Received run(Source source) throws Exception {
        return run(vertx.getOrCreateContext(), source);
    }

    private Received run(Context context, Source source) throws Exception {
        return run(context, source, item -> {
        });
    }

    /** Subscribes on the context, as the resource does, and lets the source emit from there. */
    private Received run(Context context, Source source, java.util.function.Consumer<String> onItem)
            throws Exception {
        List<String> items = new CopyOnWriteArrayList<>();
        CompletableFuture<String> end = new CompletableFuture<>();
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        context.runOnContext(ignored -> {
            Multi<String> frames = Multi.createFrom().<String>emitter(source::produce);
            FrameBatches.perLoopTurn(frames).subscribe().with(item -> {
                onItem.accept(item);
                items.add(item);
            }, failure -> end.complete("failed: " + failure.getMessage()), () -> end.complete("completed"));
            subscribed.complete(null);
        });
        subscribed.get(5, TimeUnit.SECONDS);
        end.get(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        return new Received(items, end);
    }
}
