package dev.parley.anthropic;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.function.Function;

import io.opentelemetry.context.Scope;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.RequestOptions;

/**
 * One streamed call over Vert.x's HTTP client, from sending the request to the end of its stream. It owns the call's
 * whole lifetime: the opening (a {@code Uni} that completes on the event that opens it, see {@link StreamDecoding},
 * or fails typed), the delivery of events, the upstream read's pause, and the three silence limits of
 * {@link StreamLimits}, which run as timers in the call's own handlers rather than as a stage of their own.
 * <p>
 * Everything runs on the context the call was opened on: Vert.x runs the response's handlers and the timers set from
 * that context there, so the fields need no locks. An event only notes its time; the idle timer, when it fires,
 * looks at how long the stream has really been silent and, if less than the limit, sets itself again for the rest (a
 * timer per token cost more than the rest of the read path).
 */
final class HttpStreamCall<E> implements StreamCall<E> {

    private static final long NONE = -1;

    private final Vertx vertx;
    private final StreamLimits limits;
    private final StreamDecoding<E> decoding;
    private final Function<Throwable, Throwable> classifier;
    /** Runs once when the call is over, however it ended: gives back its concurrency permit. */
    private final Runnable ended;
    private final long idleNanos;
    /** Events that arrived while nobody could take them: before {@link #deliverTo}, or while paused. */
    private final ArrayDeque<E> held = new ArrayDeque<>();
    private UniEmitter<? super StreamCall<E>> opening;
    /** The request while its connection is not clean: reset on cancellation. */
    private HttpClientRequest request;
    private HttpClientResponse response;
    private Receiver<E> receiver;
    private boolean paused;
    private boolean delivering;
    /** The upstream's stream ended; {@link Receiver#onEnd} follows the events still held. */
    private boolean streamEnded;
    /** The call failed; the receiver is told after the events held before it. */
    private Throwable failure;
    private boolean over;
    private boolean firstByteSeen;
    private boolean contentSeen;
    private boolean released;
    private long lastActivity;
    private long silenceTimer = NONE;
    private long contentTimer = NONE;

    private HttpStreamCall(Vertx vertx, StreamLimits limits, StreamDecoding<E> decoding,
            Function<Throwable, Throwable> classifier, Runnable ended) {
        this.vertx = vertx;
        this.limits = limits;
        this.decoding = decoding;
        this.classifier = classifier;
        this.ended = ended;
        this.idleNanos = limits.idle().toNanos();
    }

    /**
     * Sends the request on the current context and completes with the call once the event that opens it arrived
     * ({@link StreamDecoding#opens}). Cancelling the {@code Uni} before that resets the request. {@code sending} runs
     * just before the request is written.
     */
    static <E> Uni<StreamCall<E>> open(HttpClient client, RequestOptions options, byte[] body,
            io.opentelemetry.context.Context trace, Vertx vertx, StreamLimits limits, StreamDecoding<E> decoding,
            Function<Throwable, Throwable> classifier, Runnable ended, Runnable sending) {
        HttpStreamCall<E> call = new HttpStreamCall<>(vertx, limits, decoding, classifier, ended);
        return Uni.createFrom().<StreamCall<E>>emitter(emitter -> {
            call.opening = emitter;
            call.send(client, options, body, trace, sending);
        }).onCancellation().invoke(call::cancel);
    }

    private void send(HttpClient client, RequestOptions options, byte[] body, io.opentelemetry.context.Context trace,
            Runnable sending) {
        silenceTimer = vertx.setTimer(millis(limits.firstByte()), id -> expired(id, "first byte", limits.firstByte()));
        contentTimer = vertx.setTimer(millis(limits.firstContent()), this::firstContentExpired);
        client.request(options).onComplete(opened -> {
            if (opened.failed()) {
                fail(opened.cause());
                return;
            }
            request = opened.result();
            if (released) {
                request.reset();
                return;
            }
            sending.run();
            // Tracing: the client's span takes its parent from this context when the request is written, which
            // happens inside send() on a connection that is already open.
            try (Scope ignored = trace.makeCurrent()) {
                request.send(Buffer.buffer(body)).onComplete(answered -> {
                    if (answered.failed()) {
                        fail(answered.cause());
                    } else {
                        read(answered.result());
                    }
                });
            }
        });
    }

    @Override
    public java.util.Optional<String> upstreamRequestId() {
        return response == null
                ? java.util.Optional.empty()
                : java.util.Optional.ofNullable(response.getHeader("request-id"));
    }

    @Override
    public java.util.Map<String, String> passedHeaders() {
        java.util.Map<String, String> passed = new java.util.LinkedHashMap<>();
        if (response != null) {
            response.headers().forEach((name, value) -> {
                if (UpstreamReply.passes(name)) {
                    passed.merge(name.toLowerCase(Locale.ROOT), value, (one, other) -> one + ", " + other);
                }
            });
        }
        return passed;
    }

    private void read(HttpClientResponse answer) {
        if (released) {
            return;
        }
        response = answer;
        if (answer.statusCode() != 200) {
            answer.body().onComplete(read -> {
                // The whole error body was read: the connection is clean and may be reused.
                request = null;
                fail(UpstreamErrors.fromResponse(answer.statusCode(), answer::getHeader,
                        read.succeeded() ? read.result().toString(StandardCharsets.UTF_8) : ""));
            });
            return;
        }
        String type = answer.getHeader(HttpHeaders.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
            fail(new IOException("a stream answered with content-type " + type));
            return;
        }
        SseDataReader reader = new SseDataReader(this::onData);
        answer.exceptionHandler(this::fail);
        answer.handler(reader::feed);
        answer.endHandler(end -> {
            if (released) {
                return;
            }
            // Read to its end: the connection goes back to the pool instead of being reset.
            request = null;
            streamEnded = true;
            if (opening != null) {
                if (!decoding.opensAtItsEnd()) {
                    fail(new IOException("the stream ended before the event that opens it"));
                    return;
                }
                opened(); // a stream without events: the receiver is told it ended, and judges it
            }
            drain();
        });
    }

    private void onData(byte[] data) {
        if (released) {
            return;
        }
        lastActivity = System.nanoTime();
        if (!firstByteSeen) {
            // The first-byte limit is met; the idle limit starts.
            firstByteSeen = true;
            vertx.cancelTimer(silenceTimer);
            silenceTimer = vertx.setTimer(millis(limits.idle()), this::idleCheck);
        }
        E event;
        try {
            event = decoding.decode(data);
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        if (event == null) {
            return; // activity for the idle timeout, nothing to deliver
        }
        if (!contentSeen && decoding.content(event)) {
            contentSeen = true;
            vertx.cancelTimer(contentTimer);
            contentTimer = NONE;
        }
        if (receiver != null && !paused && held.isEmpty() && !delivering) {
            receiver.onEvent(event);
            return;
        }
        held.add(event);
        if (opening != null && decoding.opens(event)) {
            opened();
        }
    }

    /** The event that opens the call arrived: it is open. The read waits until someone takes the events. */
    private void opened() {
        UniEmitter<? super StreamCall<E>> waiting = opening;
        opening = null;
        if (receiver == null && response != null && !streamEnded) {
            response.pause();
        }
        waiting.complete(this);
    }

    @Override
    public void deliverTo(Receiver<E> receiver) {
        this.receiver = receiver;
        drain();
    }

    @Override
    public void pause() {
        if (!paused) {
            paused = true;
            if (response != null && !streamEnded) {
                response.pause();
            }
        }
    }

    @Override
    public void resume() {
        if (paused) {
            paused = false;
            // The silence while parley held the read was parley's, not the upstream's.
            lastActivity = System.nanoTime();
            drain();
        }
    }

    /** Delivers the held events while nothing holds them back, then the end, or reads on. */
    private void drain() {
        if (receiver == null || over || delivering) {
            return;
        }
        delivering = true;
        try {
            while (!paused && !over && !held.isEmpty()) {
                receiver.onEvent(held.poll());
            }
        } finally {
            delivering = false;
        }
        if (over || paused) {
            return;
        }
        if (failure != null) {
            over = true;
            receiver.onFailure(failure);
        } else if (streamEnded) {
            over = true;
            release();
            receiver.onEnd();
        } else if (response != null) {
            response.resume();
        }
    }

    @Override
    public void cancel() {
        if (over) {
            return;
        }
        over = true;
        held.clear();
        release();
    }

    /**
     * The call failed: its permit and connection are let go at once; the receiver is told after the events that came
     * before the failure (held while nobody could take them).
     */
    private void fail(Throwable cause) {
        if (released) {
            return;
        }
        Throwable typed = classifier.apply(cause);
        release();
        if (opening != null) {
            UniEmitter<? super StreamCall<E>> waiting = opening;
            opening = null;
            over = true;
            waiting.fail(typed);
            return;
        }
        failure = typed;
        drain();
    }

    /** Stops the timers, resets a request that was not read to its end, and gives the permit back; once. */
    private void release() {
        if (released) {
            return;
        }
        released = true;
        vertx.cancelTimer(silenceTimer);
        vertx.cancelTimer(contentTimer);
        silenceTimer = NONE;
        contentTimer = NONE;
        if (request != null) {
            request.reset();
            request = null;
        }
        ended.run();
    }

    private void firstContentExpired(long timer) {
        if (released || timer != contentTimer) {
            return;
        }
        if (paused) {
            contentTimer = vertx.setTimer(millis(limits.firstContent()), this::firstContentExpired);
            return;
        }
        fail(AnthropicException.timeout("first content", limits.firstContent()));
    }

    private void expired(long timer, String limit, Duration after) {
        if (released || timer != silenceTimer) {
            return;
        }
        fail(AnthropicException.timeout(limit, after));
    }

    /** The idle timer fired: the stream failed if it has really been silent that long, else it waits the rest. */
    private void idleCheck(long timer) {
        if (released || timer != silenceTimer) {
            return;
        }
        long silentFor = System.nanoTime() - lastActivity;
        if (paused) {
            silenceTimer = vertx.setTimer(millis(limits.idle()), this::idleCheck);
        } else if (silentFor < idleNanos) {
            silenceTimer = vertx.setTimer(Math.max(1, (idleNanos - silentFor + 999_999) / 1_000_000), this::idleCheck);
        } else {
            fail(AnthropicException.timeout("idle", limits.idle()));
        }
    }

    private static long millis(Duration limit) {
        return Math.max(1, limit.toMillis());
    }
}
