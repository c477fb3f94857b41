package dev.parley.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

/**
 * One measured run: {@code streams} concurrent SSE requests against one target, each slot starting its next request
 * as soon as the previous one ends, until {@code maxRequests} were started or the duration is over. Every slot lives
 * on one Vert.x event loop of the load generator ({@code loops} of them), so the per-loop state needs no locks. With
 * {@code ownConnections} each slot is a client with a pool of one kept-alive connection (its next stream goes on the
 * same connection, or on a new one only if the server closed it); otherwise the slots share one pool.
 */
final class StreamRun {

    /** Where the requests go and how their streams read. */
    record Target(String name, String url, Map<String, String> headers, String body, SseCounter.Dialect dialect) {
    }

    /** What a run measured; times in nanoseconds. */
    record Result(String target, int streams, long started, long ok, Map<String, Long> errors, List<String> samples,
            long[] ttft, long[] total, long textEvents, long textBytes, long wallNanos, long connections) {

        long errorCount() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }

        double tokensPerSecond() {
            return textEvents * 1e9 / wallNanos;
        }

        double bytesPerSecond() {
            return textBytes * 1e9 / wallNanos;
        }

        static double percentileMillis(long[] sorted, double p) {
            if (sorted.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }
    }

    private final Vertx vertx;
    private final Target target;
    private final int streams;
    private final int loops;
    private final long maxRequests;
    private final long durationNanos;
    private final long rampNanosPerStream;
    private final long idleTimeoutMillis;
    private final boolean ownConnections;
    /** Connections the target accepted during the run: as many as streams when it closes each one after a stream. */
    private final AtomicLong connections = new AtomicLong();

    StreamRun(Vertx vertx, Target target, int streams, int loops, long maxRequests, long durationNanos,
            long rampNanosPerStream, long idleTimeoutMillis, boolean ownConnections) {
        this.vertx = vertx;
        this.target = target;
        this.streams = streams;
        this.loops = Math.min(loops, streams);
        this.maxRequests = maxRequests;
        this.durationNanos = durationNanos;
        this.rampNanosPerStream = rampNanosPerStream;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.ownConnections = ownConnections;
    }

    /** Runs to the end, or to {@code hardLimit}, after which unfinished requests count as errors. */
    Result run(long hardLimitNanos) throws Exception {
        java.net.URI uri = java.net.URI.create(target.url());
        // One connection per stream: SSE over HTTP/1.1 holds its connection until the stream ends. Clients get a pool
        // of one each: the connection their previous stream ended on, kept alive.
        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < (ownConnections ? streams : 1); i++) {
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true)
                    .setDefaultHost(uri.getHost()).setDefaultPort(uri.getPort()),
                    new PoolOptions().setHttp1MaxSize(ownConnections ? 1 : streams).setMaxWaitQueueSize(-1));
            client.connectionHandler(connection -> connections.incrementAndGet());
            clients.add(client);
        }
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setURI(uri.getRawPath())
                .setIdleTimeout(idleTimeoutMillis);
        target.headers().forEach(options::putHeader);
        Buffer body = Buffer.buffer(target.body());
        AtomicLong budget = new AtomicLong(maxRequests);
        long start = System.nanoTime();
        long end = start + durationNanos;
        List<Loop> all = new ArrayList<>();
        List<CompletableFuture<Void>> finished = new ArrayList<>();
        for (int i = 0; i < loops; i++) {
            int slots = streams / loops + (i < streams % loops ? 1 : 0);
            // Slot j of loop i is stream number j * loops + i (the ramp's order); so is its own client.
            List<HttpClient> slotClients = new ArrayList<>();
            for (int j = 0; j < slots; j++) {
                slotClients.add(clients.get(ownConnections ? j * loops + i : 0));
            }
            // Called from a non-Vert.x thread, each call gives a new context on the next event loop.
            Context context = vertx.getOrCreateContext();
            Loop loop = new Loop(slotClients, options, body, slots, i, budget, end);
            all.add(loop);
            finished.add(loop.done);
            context.runOnContext(ignored -> loop.start());
        }
        try {
            CompletableFuture.allOf(finished.toArray(CompletableFuture[]::new))
                    .get(Math.max(1, hardLimitNanos / 1_000_000), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // Reported below as "unfinished".
        }
        long wall = System.nanoTime() - start;
        for (HttpClient client : clients) {
            client.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        return merge(all, wall);
    }

    private Result merge(List<Loop> all, long wall) {
        Map<String, Long> errors = new LinkedHashMap<>();
        List<String> samples = new ArrayList<>();
        long ok = 0, started = 0, events = 0, bytes = 0;
        int count = 0;
        for (Loop loop : all) {
            synchronized (loop) {
                count += loop.ok;
            }
        }
        long[] ttft = new long[count];
        long[] total = new long[count];
        int at = 0;
        for (Loop loop : all) {
            synchronized (loop) {
                System.arraycopy(loop.ttft, 0, ttft, at, (int) loop.ok);
                System.arraycopy(loop.total, 0, total, at, (int) loop.ok);
                at += (int) loop.ok;
                ok += loop.ok;
                started += loop.started;
                events += loop.textEvents;
                bytes += loop.textBytes;
                loop.errors.forEach((kind, n) -> errors.merge(kind, n, Long::sum));
                if (loop.inFlight > 0) {
                    errors.merge("unfinished", (long) loop.inFlight, Long::sum);
                }
                for (String sample : loop.samples) {
                    if (samples.size() < 5) {
                        samples.add(sample);
                    }
                }
            }
        }
        Arrays.sort(ttft);
        Arrays.sort(total);
        return new Result(target.name(), streams, started, ok, errors, samples, ttft, total, events, bytes, wall,
                connections.get());
    }

    /** The slots of one event loop. Its fields are touched on that loop only (and read under its lock at the end). */
    private final class Loop {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        /** Each slot's client: the same shared one, or one of its own. */
        final List<HttpClient> clients;
        final RequestOptions options;
        final Buffer body;
        final int slots;
        final int index;
        final AtomicLong budget;
        final long end;
        long[] ttft = new long[64];
        long[] total = new long[64];
        long ok;
        long started;
        long textEvents;
        long textBytes;
        int inFlight;
        int slotsRunning;
        final Map<String, Long> errors = new LinkedHashMap<>();
        final List<String> samples = new ArrayList<>();

        Loop(List<HttpClient> clients, RequestOptions options, Buffer body, int slots, int index, AtomicLong budget,
                long end) {
            this.clients = clients;
            this.options = options;
            this.body = body;
            this.slots = slots;
            this.index = index;
            this.budget = budget;
            this.end = end;
        }

        void start() {
            slotsRunning = slots;
            for (int i = 0; i < slots; i++) {
                // Streams start spread over a ramp, so thousands of connections are not opened in one instant.
                long delayNanos = (long) (i * loops + index) * rampNanosPerStream;
                int slot = i;
                if (delayNanos < 1_000_000) {
                    next(slot);
                } else {
                    vertx.setTimer(delayNanos / 1_000_000, id -> next(slot));
                }
            }
        }

        private void next(int slot) {
            if (System.nanoTime() >= end || budget.getAndDecrement() <= 0) {
                if (--slotsRunning == 0) {
                    done.complete(null);
                }
                return;
            }
            synchronized (this) {
                started++;
                inFlight++;
            }
            long begin = System.nanoTime();
            SseCounter sse = new SseCounter(target.dialect());
            long[] firstText = {0};
            // A broken stream may report both an exception and its end; only the first counts.
            boolean[] over = {false};
            clients.get(slot).request(options).compose(request -> request.send(body)).onComplete(sent -> {
                if (sent.failed()) {
                    over[0] = true;
                    finish(slot, begin, sse, 0, "connect: " + sent.cause());
                    return;
                }
                HttpClientResponse response = sent.result();
                if (response.statusCode() != 200) {
                    over[0] = true;
                    response.body().onComplete(text -> finish(slot, begin, sse, 0,
                            "status " + response.statusCode() + ": " + (text.succeeded() ? text.result() : "")));
                    return;
                }
                response.handler(chunk -> {
                    sse.feed(chunk);
                    if (firstText[0] == 0 && sse.textEvents() > 0) {
                        firstText[0] = System.nanoTime();
                    }
                });
                response.exceptionHandler(failure -> {
                    if (!over[0]) {
                        over[0] = true;
                        finish(slot, begin, sse, firstText[0], "broken: " + failure);
                    }
                });
                response.endHandler(ignored -> {
                    if (!over[0]) {
                        over[0] = true;
                        finish(slot, begin, sse, firstText[0],
                                sse.failed() ? "error event" : sse.done() ? null : "ended without done");
                    }
                });
            });
        }

        private void finish(int slot, long begin, SseCounter sse, long firstText, String error) {
            long now = System.nanoTime();
            synchronized (this) {
                inFlight--;
                textEvents += sse.textEvents();
                textBytes += sse.textBytes();
                if (error == null && firstText != 0) {
                    if (ok == ttft.length) {
                        ttft = Arrays.copyOf(ttft, ttft.length * 2);
                        total = Arrays.copyOf(total, total.length * 2);
                    }
                    ttft[(int) ok] = firstText - begin;
                    total[(int) ok] = now - begin;
                    ok++;
                } else {
                    String kind = error == null ? "no text" : error.split(":")[0];
                    errors.merge(kind, 1L, Long::sum);
                    if (samples.size() < 5) {
                        samples.add(error == null ? "no text" : error);
                    }
                }
            }
            next(slot);
        }
    }
}
