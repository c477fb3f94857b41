package dev.parley.frontdoor;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.RawEvent;
import dev.parley.anthropic.StreamCall;
import dev.parley.api.ApiConfig;
import dev.parley.api.RequestIds;
import dev.parley.resilience.ShutdownCoordinator;
import dev.parley.usage.TurnOutcome;

/**
 * Passes one streamed message on to its client, from the moment it can no longer be retried unseen (its first
 * content event arrived): the response head with the upstream's headers that pass, then every event as the upstream
 * sent it ({@code event:} its type, {@code data:} its bytes), in order, unbuffered. Events that become ready in one
 * turn of the event loop go out in one write, as on the chat path.
 * <p>
 * <b>Nothing lost.</b> The message is metered however it ends, once: completed (its {@code message_stop}, the last
 * event, is written only once its ledger row is durable), failed or cut off (an {@code error} event of Anthropic's
 * form after the row, usage as far as counted), or left by its client (the upstream call cancelled). A client too
 * slow to read holds the upstream read ({@code parley.api.write-queue-bytes}) for at most {@code parley.api.max-pause};
 * the message's deadline and a shutdown's grace period end it too, each with an {@code error} event.
 * <p>
 * Everything runs on the request's context, where the call delivers its events, so the fields are plain. RESTEasy is
 * handed a {@code Multi} without items, completed once the response has ended; its cancellation is the client going
 * away (as for the chat stream's writer).
 */
final class StreamRelay implements StreamCall.Receiver<RawEvent> {

    private static final long NONE = -1;
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    /** {@code event: <type>\ndata: } of each known type, written once per event. */
    private static final Map<String, byte[]> HEADS = RawEvent.KNOWN_TYPES.stream()
            .collect(Collectors.toUnmodifiableMap(type -> type, type -> head(type)));
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final StreamCall<RawEvent> call;
    private final MessageExchange exchange;
    private final HttpServerResponse response;
    private final Context context;
    private final Vertx vertx;
    private final FrontDoorMeter meter;
    private final ApiConfig config;
    private final MultiEmitter<? super String> handoff;
    private final StreamTally tally = new StreamTally();
    private Buffer pending = Buffer.buffer(512);
    /** {@code message_stop} and anything after it: written once the ledger row is durable. */
    private Buffer last;
    private Runnable leaveShutdown = () -> {
    };
    private Optional<Duration> firstContent = Optional.empty();
    private boolean flushScheduled;
    private boolean paused;
    /** The message is being metered: nothing but its last event is written from now on. */
    private boolean ending;
    /** The response has ended, or the client left: nothing more happens. */
    private boolean over;
    private long pauseTimer = NONE;
    private long deadlineTimer = NONE;

    private StreamRelay(StreamCall<RawEvent> call, MessageExchange exchange, HttpServerResponse response,
            Context context, FrontDoorMeter meter, ApiConfig config, MultiEmitter<? super String> handoff) {
        this.call = call;
        this.exchange = exchange;
        this.response = response;
        this.context = context;
        this.vertx = context.owner();
        this.meter = meter;
        this.config = config;
        this.handoff = handoff;
    }

    /** Passes the opened call on to {@code response}: the {@code Multi} for RESTEasy described above. */
    static Multi<String> relay(StreamCall<RawEvent> call, MessageExchange exchange, HttpServerResponse response,
            Context context, FrontDoorMeter meter, ApiConfig config, ShutdownCoordinator shutdown) {
        return Multi.createFrom().emitter(handoff -> {
            StreamRelay relay = new StreamRelay(call, exchange, response, context, meter, config, handoff);
            handoff.onTermination(relay::handoffEnded);
            relay.onContext(() -> relay.start(shutdown));
        });
    }

    private void start(ShutdownCoordinator shutdown) {
        if (over) {
            return; // the client left as the stream opened
        }
        response.setStatusCode(200).setChunked(true);
        call.passedHeaders().forEach(response::putHeader);
        response.putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-cache")
                // Tells nginx-style proxies not to buffer the stream.
                .putHeader("x-accel-buffering", "no")
                .putHeader(RequestIds.HEADER, exchange.requestId());
        response.setWriteQueueMaxSize(config.writeQueueBytes());
        long left = exchange.remaining().toMillis();
        deadlineTimer = vertx.setTimer(Math.max(1, left), id -> {
            deadlineTimer = NONE;
            stop(AnthropicException.timeout("deadline", exchange.elapsed()), TurnOutcome.UPSTREAM_ERROR);
        });
        leaveShutdown = shutdown.atGraceEnd(() -> onContext(() -> stop(null, TurnOutcome.SERVER_SHUTDOWN)));
        call.deliverTo(this);
    }

    @Override
    public void onEvent(RawEvent event) {
        if (over || ending) {
            return;
        }
        tally.add(event);
        if (firstContent.isEmpty() && event.content()) {
            firstContent = Optional.of(exchange.elapsed());
        }
        if (tally.stopped()) {
            if (last == null) {
                last = Buffer.buffer(64);
            }
            frame(last, event);
            return;
        }
        frame(pending, event);
        if (pending.length() >= config.writeQueueBytes()) {
            // A burst is written at once: it may be what fills the client's queue, and the pause must come first.
            flush();
        } else if (!flushScheduled) {
            flushScheduled = true;
            context.runOnContext(ignored -> {
                flushScheduled = false;
                flush();
            });
        }
    }

    @Override
    public void onEnd() {
        if (over || ending) {
            return;
        }
        if (!tally.stopped()) {
            onFailure(AnthropicException.cutOff());
            return;
        }
        flush();
        end(TurnOutcome.OK, last);
    }

    @Override
    public void onFailure(Throwable failure) {
        if (over || ending) {
            return;
        }
        Log.warnf("front door: a stream failed after its first content: %s %s", failure.getMessage(),
                failure instanceof AnthropicException upstream ? upstream.upstreamMessage().orElse("") : "");
        flush();
        end(failure instanceof AnthropicException ? TurnOutcome.UPSTREAM_ERROR : TurnOutcome.INTERNAL_ERROR,
                errorEvent(UpstreamFailures.midStream(failure)));
    }

    /** Parley ends the stream itself: its deadline, a shutdown's grace end, or a client too slow. */
    private void stop(AnthropicException failure, TurnOutcome outcome) {
        if (over || ending) {
            return;
        }
        call.cancel();
        flush();
        DoorRefusal refusal = switch (outcome) {
            case SERVER_SHUTDOWN -> DoorRefusal.terminal(503, "api_error",
                    "This parley server shut down in the middle of the stream.");
            case CLIENT_TOO_SLOW -> DoorRefusal.terminal(500, "api_error", "parley ended the stream: the client "
                    + "read none of it for " + config.maxPause().toSeconds() + " s.");
            default -> UpstreamFailures.midStream(failure);
        };
        end(outcome, errorEvent(refusal));
    }

    /** Meters the message, then writes its last event and ends the response. */
    private void end(TurnOutcome outcome, Buffer lastEvent) {
        ending = true;
        stopTimers();
        meter.streamed(exchange, tally.view(), call.upstreamRequestId(), outcome, firstContent)
                .whenComplete((durable, failure) -> onContext(() -> {
                    if (over) {
                        return;
                    }
                    over = true;
                    if (outcome == TurnOutcome.CLIENT_TOO_SLOW && response.writeQueueFull()) {
                        // A client too slow to take even its last event: its connection is closed rather than held.
                        response.reset();
                    } else {
                        response.end(lastEvent);
                    }
                    handoff.complete();
                }));
    }

    private void flush() {
        if (over || pending.length() == 0) {
            return;
        }
        Buffer frames = pending;
        pending = Buffer.buffer(512);
        response.write(frames).onComplete(written -> {
            if (written.failed()) {
                clientGone();
            }
        });
        if (!paused && !ending && response.writeQueueFull()) {
            pause();
        }
    }

    /** One event as the upstream framed it: its type, then its data (a line each, were it ever several). */
    private static void frame(Buffer into, RawEvent event) {
        byte[] head = HEADS.get(event.type());
        into.appendBytes(head != null ? head : head(event.type()));
        byte[] data = event.data();
        int start = 0;
        for (int i = 0; i < data.length; i++) {
            if (data[i] == '\n') {
                into.appendBytes(data, start, i - start).appendBytes(DATA);
                start = i + 1;
            }
        }
        into.appendBytes(data, start, data.length - start).appendBytes(END);
    }

    private static byte[] head(String type) {
        byte[] name = type.getBytes(StandardCharsets.UTF_8);
        byte[] head = Arrays.copyOf(EVENT, EVENT.length + name.length + DATA.length);
        System.arraycopy(name, 0, head, EVENT.length, name.length);
        System.arraycopy(DATA, 0, head, EVENT.length + name.length, DATA.length);
        return head;
    }

    private Buffer errorEvent(DoorRefusal refusal) {
        Buffer event = Buffer.buffer(256);
        frame(event, new RawEvent("error", refusal.body(exchange.requestId()), Optional.empty()));
        return event;
    }

    // ---- pacing

    private void pause() {
        paused = true;
        call.pause();
        response.drainHandler(ignored -> resume());
        pauseTimer = vertx.setTimer(Math.max(1, config.maxPause().toMillis()), id -> {
            pauseTimer = NONE;
            if (paused) {
                stop(null, TurnOutcome.CLIENT_TOO_SLOW);
            }
        });
    }

    private void resume() {
        if (!paused || over || ending) {
            return;
        }
        unpause();
        call.resume();
    }

    private void unpause() {
        paused = false;
        vertx.cancelTimer(pauseTimer);
        pauseTimer = NONE;
    }

    // ---- the client going away

    /** RESTEasy's end of the hand-off: after ours, nothing; before it, the client closed the connection. */
    private void handoffEnded() {
        onContext(() -> {
            if (!over) {
                clientGone();
            }
        });
    }

    private void clientGone() {
        if (over) {
            return;
        }
        over = true;
        call.cancel();
        if (!ending) {
            ending = true;
            stopTimers();
            meter.streamed(exchange, tally.view(), call.upstreamRequestId(), TurnOutcome.CLIENT_CANCELLED,
                    firstContent);
        }
    }

    private void stopTimers() {
        vertx.cancelTimer(deadlineTimer);
        deadlineTimer = NONE;
        leaveShutdown.run();
        if (paused) {
            unpause();
        }
    }

    private void onContext(Runnable work) {
        if (Vertx.currentContext() == context) {
            work.run();
        } else {
            context.runOnContext(ignored -> work.run());
        }
    }
}
