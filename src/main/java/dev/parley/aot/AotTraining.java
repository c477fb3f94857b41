package dev.parley.aot;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;

/**
 * The training run of the JDK AOT cache (README "Fast start-up"); it does something only in the {@code aot-training}
 * profile. The cache holds what the JVM loaded, linked and profiled in the run that recorded it, and nothing more.
 * Quarkus's own recording ({@code quarkus.appcds.generate=true}) ends with static init, before the ledger migration,
 * the OpenAPI document, the HTTP server and all that a request needs: with that cache more than half of the classes
 * of a start still came from the jars. So this run goes as far as production does in its first seconds: the whole
 * start, the health probes answered over HTTP, one streamed chat turn (from the embedded simulator); then the application
 * exits, with status 0 only if all of it worked, so a broken training fails the build rather than leaving a cache that
 * quietly covers less.
 */
@Singleton
class AotTraining {

    static final String PROFILE = "aot-training";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    void start(@Observes StartupEvent event, Vertx vertx) {
        if (!ConfigUtils.isProfileActive(PROFILE)) {
            return;
        }
        // The StartupEvent comes before the HTTP server listens, so the requests go from a thread of their own.
        Thread.ofPlatform().name("aot-training").daemon(true).start(() -> Quarkus.asyncExit(train(vertx)));
    }

    private static int train(Vertx vertx) {
        HttpClient http = vertx.createHttpClient();
        try {
            awaitReady(http);
            // The probes Kubernetes sends a new pod (deploy/k8s), then the API's main call.
            for (String probe : List.of("/q/health/started", "/q/health/live")) {
                Response answer = send(http, HttpMethod.GET, probe, null);
                if (answer.status() != 200) {
                    throw new IllegalStateException(probe + " answered " + answer);
                }
            }
            Response turn = send(http, HttpMethod.POST, "/v1/chat/stream", "{\"message\":\"Hello\"}");
            if (turn.status() != 200 || !turn.body().contains("event: done")) {
                throw new IllegalStateException("the chat turn did not complete: " + turn);
            }
            Log.info("AOT training done: the application started, answered its probes and streamed a chat turn");
            return 0;
        } catch (Exception e) {
            Log.error("AOT training failed, so the build fails rather than record a cache that covers less", e);
            return 1;
        } finally {
            http.close();
        }
    }

    /** Asks readiness until it answers 200, as the bench and Kubernetes do; it is the moment the start is over. */
    private static void awaitReady(HttpClient http) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                if (send(http, HttpMethod.GET, "/q/health/ready", null).status() == 200) {
                    return;
                }
            } catch (ExecutionException | TimeoutException notListeningYet) {
                // the server is not listening yet: try again
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not ready within " + TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(20);
        }
    }

    private static Response send(HttpClient http, HttpMethod method, String path, String json)
            throws InterruptedException, ExecutionException, TimeoutException {
        Future<Response> response = http.request(method, port(), "localhost", path).compose(request -> {
            if (json == null) {
                return request.send();
            }
            return withJson(request).send(json);
        }).compose(answer -> answer.body().map(body -> new Response(answer.statusCode(), body.toString())));
        return response.toCompletionStage().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    private static HttpClientRequest withJson(HttpClientRequest request) {
        return request.putHeader("content-type", "application/json").putHeader("accept", "text/event-stream");
    }

    /** The port listened on: the profile asks for any free one, which Quarkus publishes here once it listens. */
    private static int port() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.http.port", Integer.class).orElse(8080);
    }

    private record Response(int status, String body) {
    }
}
