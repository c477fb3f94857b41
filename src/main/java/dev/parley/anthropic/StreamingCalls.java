package dev.parley.anthropic;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
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
    private final StreamLimits limits;
    private final Function<Throwable, Throwable> classifier;

    /**
     * @param connectionOpened told of every new connection, so reuse can be watched
     * @param route the egress proxy and the CAs, as for one-shot calls
     * @param classifier any failure of a call to its typed, redacted exception
     */
    StreamingCalls(Vertx vertx, URI base, AnthropicConfig config, UpstreamRoute route, Runnable connectionOpened,
            Function<Throwable, Throwable> classifier) {
        this.connectionOpened = connectionOpened;
        this.classifier = classifier;
        this.limits = StreamLimits.of(config);
        this.vertx = vertx;
        boolean tls = "https".equalsIgnoreCase(base.getScheme());
        this.options = new HttpClientOptions()
                .setDefaultHost(base.getHost())
                .setDefaultPort(MessagesClient.portOf(base))
                .setSsl(tls)
                .setConnectTimeout((int) config.connectTimeout().toMillis())
                // No idle timeout on the connection: while a call lives its own timers (StreamLimits) watch the
                // silence, and they know what an idle connection's timeout cannot, that a read parley holds itself
                // (a paused stream) is not the upstream's silence. An unused pooled connection is closed by the
                // keep-alive timeout.
                .setIdleTimeout(0)
                .setKeepAlive(true)
                .setKeepAliveTimeout(KEEP_ALIVE_SECONDS)
                .setTcpNoDelay(true);
        config.streamReceiveBufferBytes().ifPresent(options::setReceiveBufferSize);
        route.configure(options, config.connectTimeout());
        this.pool = new PoolOptions().setHttp1MaxSize(config.connectionPoolSize());
        this.path = base.getRawPath().replaceAll("/+$", "") + "/v1/messages";
    }

    /**
     * POSTs a streaming request on the current context and completes when the event that opens it arrived (see
     * {@link HttpStreamCall}), its events read by {@code decoding}; fails typed. {@code ended} runs once when the call
     * is over, however it ends; {@code sending} just before the request is written.
     */
    <E> Uni<StreamCall<E>> open(MultiMap headers, byte[] body, io.opentelemetry.context.Context trace,
            StreamDecoding<E> decoding, Runnable ended, Runnable sending) {
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setURI(path).setHeaders(headers);
        return HttpStreamCall.open(client(), request, body, trace, vertx, limits, decoding, classifier, ended,
                sending);
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
}
