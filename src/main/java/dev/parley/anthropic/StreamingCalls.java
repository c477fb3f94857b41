package dev.parley.anthropic;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.opentelemetry.context.Scope;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * The streamed calls of the Messages API, made with Vert.x's HTTP client and read as bytes: each event's
 * {@code data} is handed on undecoded (see {@link SseDataReader}). The one-shot call keeps the REST client.
 * <p>
 * Why not the REST client here: a relay's cost is what it spends per token, and the REST client's SSE path spent more
 * CPU per event (parsing lines into strings, looking up a reader per event, a Mutiny emitter) than the rest of
 * parley together; and it closes a stream's connection when the stream ends, so every stream paid a new connection
 * (a TLS handshake against the real API, in the time to first token). Here a finished stream's connection goes back
 * to the pool, and a cancelled or broken one is reset, so it is never reused half-read. Both are measured in
 * bench/README.md.
 */
final class StreamingCalls {

    /**
     * Closes a pooled connection after this long unused, well before the usual server-side idle limits of HTTP
     * front ends (60 s and more), so the pool never hands out a connection the server is about to drop.
     */
    private static final int KEEP_ALIVE_SECONDS = 20;

    private final Vertx vertx;
    private final HttpClientOptions options;
    private final PoolOptions pool;
    private final Runnable connectionOpened;
    /**
     * One client per event loop. A pooled connection belongs to the event loop that opened it; handed to a call from
     * another loop, every chunk it reads would hop to the caller's loop (a task and a wake-up per token, seen in the
     * profile). Calls run on their turn's loop, so each loop keeps its own pool; a call from any other thread (a
     * worker, say) shares one more client, so the number of clients stays bounded by the number of loops.
     */
    private final Map<Thread, HttpClient> perEventLoop = new ConcurrentHashMap<>();
    private HttpClient offTheLoops;
    private final String path;

    /**
     * @param readTimeout closes a connection that received nothing for this long: a backstop past parley's own
     *            stream limits, which are what fire (see {@link StreamTimeouts})
     * @param connectionOpened told of every new connection, so reuse can be watched
     */
    StreamingCalls(Vertx vertx, URI base, AnthropicConfig config, Duration readTimeout, Runnable connectionOpened) {
        this.connectionOpened = connectionOpened;
        this.vertx = vertx;
        boolean tls = "https".equalsIgnoreCase(base.getScheme());
        this.options = new HttpClientOptions()
                .setDefaultHost(base.getHost())
                .setDefaultPort(MessagesClient.portOf(base))
                .setSsl(tls)
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                .setIdleTimeout((int) readTimeout.toMillis())
                .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
                .setKeepAlive(true)
                .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
                .setTcpNoDelay(true);
        this.pool = new PoolOptions().setHttp1MaxSize(config.connectionPoolSize());
        this.path = base.getRawPath().replaceAll("/+$", "") + "/v1/messages";
    }

    /**
     * POSTs a streaming request. The stream emits the {@code data} of each event; an HTTP error status fails it with
     * the {@link AnthropicException} of that response; a transport failure fails it as it is (classified by the
     * caller). Cancelling it resets the request, which closes its connection.
     */
    Multi<byte[]> post(MultiMap headers, byte[] body) {
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<HttpClientRequest> open = new AtomicReference<>();
            emitter.onTermination(() -> {
                HttpClientRequest request = open.getAndSet(null);
                if (request != null) {
                    request.reset();
                }
            });
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(path).setHeaders(headers);
            // Tracing: the HTTP client's span takes its parent from the Vert.x context it writes the request on, when
            // it writes it (after connecting), by which time the caller's scope is long closed. So each call gets a
            // context of its own that carries the caller's trace context for as long as the call lives.
            io.opentelemetry.context.Context trace = io.opentelemetry.context.Context.current();
            Context call = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
            call.runOnContext(ignored -> {
                if (emitter.isCancelled()) {
                    return;
                }
                @SuppressWarnings({"resource", "unused"}) // never closed: it lives on this call's own context, gone
                                                          // with it
                Scope traced = trace.makeCurrent();
                send(options, body, emitter, open);
            });
        });
    }

    private void send(RequestOptions options, byte[] body, MultiEmitter<? super byte[]> emitter,
            AtomicReference<HttpClientRequest> open) {
        client().request(options).onComplete(opened -> {
            if (opened.failed()) {
                emitter.fail(opened.cause());
                return;
            }
            HttpClientRequest request = opened.result();
            open.set(request);
            if (emitter.isCancelled()) {
                open.set(null);
                request.reset();
                return;
            }
            request.send(Buffer.buffer(body)).onComplete(answered -> {
                if (answered.failed()) {
                    emitter.fail(answered.cause());
                } else {
                    read(answered.result(), emitter, open);
                }
            });
        });
    }

    private HttpClient client() {
        if (Context.isOnEventLoopThread()) {
            return perEventLoop.computeIfAbsent(Thread.currentThread(), loop -> newClient());
        }
        synchronized (this) {
            if (offTheLoops == null) {
                offTheLoops = newClient();
            }
            return offTheLoops;
        }
    }

    private HttpClient newClient() {
        return vertx.httpClientBuilder().with(options).with(pool)
                .withConnectHandler(connection -> connectionOpened.run()).build();
    }

    private static void read(HttpClientResponse response, MultiEmitter<? super byte[]> emitter,
            AtomicReference<HttpClientRequest> open) {
        if (response.statusCode() != 200) {
            response.body().onComplete(body -> {
                // The whole error body was read: the connection is clean and may be reused.
                open.set(null);
                emitter.fail(UpstreamErrors.fromResponse(response.statusCode(), response::getHeader,
                        body.succeeded() ? body.result().toString(StandardCharsets.UTF_8) : ""));
            });
            return;
        }
        String type = response.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
            emitter.fail(new IOException("a stream answered with content-type " + type));
            return;
        }
        SseDataReader reader = new SseDataReader(emitter::emit);
        response.exceptionHandler(emitter::fail);
        response.handler(reader::feed);
        response.endHandler(ended -> {
            // Read to its end: the connection goes back to the pool instead of being reset.
            open.set(null);
            emitter.complete();
        });
    }
}
