package dev.parley.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;

import dev.parley.simulator.PlannedReply.Block;
import dev.parley.simulator.PlannedReply.RedactedThinkingBlock;
import dev.parley.simulator.PlannedReply.TextBlock;
import dev.parley.simulator.PlannedReply.ThinkingBlock;
import dev.parley.simulator.PlannedReply.ToolUseBlock;
import dev.parley.simulator.PromptAccounting.InputUsage;

/**
 * Plays a planned reply out as a Server-Sent Events stream on the event loop: frames are written as timers fire,
 * consecutive frames with no delay between them go out in one write, a {@code ping} fills every silence longer than
 * the ping interval (injected stalls excepted), the write queue is respected, and a client that goes away stops the
 * playback at once and is counted as an abandoned stream.
 */
final class StreamPlayback {

    private sealed interface Action {
    }

    private record Frame(String text) implements Action {
    }

    private record InjectedError(String frame) implements Action {
    }

    private record Drop() implements Action {
    }

    private record End() implements Action {
    }

    /** One action, preceded by a wait; a silent wait sends no pings. */
    private record Step(long waitMillis, boolean silent, Action action) {
    }

    /** Between the last frame and the cut of a {@code drop} fault. */
    private static final long DROP_PAUSE_MILLIS = 50;

    private final Vertx vertx;
    private final HttpServerResponse response;
    private final SimulatorCounters.Scope counters;
    private final long pingMillis;
    private final List<Step> steps;
    private final StringBuilder pending = new StringBuilder();
    private int next;
    private boolean waited;
    private boolean finished;
    private long timer = -1;

    /** Frames due together are written together, up to this many bytes at a time. */
    private static final int WRITE_BYTES = 16 * 1024;

    private StreamPlayback(Vertx vertx, HttpServerResponse response, SimulatorCounters.Scope counters,
            Duration pingInterval, List<Step> steps) {
        this.vertx = vertx;
        this.response = response;
        this.counters = counters;
        this.pingMillis = Math.max(1, pingInterval.toMillis());
        this.steps = steps;
    }

    /** Timing and faults of one stream. */
    record Timing(Duration firstToken, Duration betweenDeltas, Duration pingInterval) {
    }

    static void play(Vertx vertx, HttpServerResponse response, SimulatorCounters.Scope counters, String messageId,
            String model, PlannedReply reply, InputUsage input, Directives directives, Timing timing, Fault fault,
            String requestId) {
        List<Step> steps = new Plan(reply, fault, timing, requestId)
                .build(messageId, model, input, directives.legacyUsage());
        StreamPlayback playback = new StreamPlayback(vertx, response, counters, timing.pingInterval(), steps);
        response.closeHandler(v -> playback.clientWentAway());
        response.exceptionHandler(e -> playback.clientWentAway());
        counters.streamStarted();
        playback.run();
    }

    private void run() {
        while (next < steps.size() && !finished) {
            Step step = steps.get(next);
            if (step.waitMillis > 0 && !waited) {
                flush();
                waitThen(step.waitMillis, step.silent);
                return;
            }
            waited = false;
            next++;
            switch (step.action) {
                case Frame frame -> {
                    pending.append(frame.text);
                    if (pending.length() >= WRITE_BYTES) {
                        // A long unpaced reply is written as it is made, so the write queue below can hold it back.
                        flush();
                    }
                }
                case InjectedError error -> {
                    pending.append(error.frame);
                    finish();
                    counters.streamFailed();
                    response.end(take());
                    return;
                }
                case Drop drop -> {
                    finish();
                    counters.streamFailed();
                    // Cut only once what came before is on the wire (a reset discards queued writes), and a moment
                    // later, as a connection breaking mid-stream would: a cut in the same instant as the response
                    // headers hits a race in the Quarkus REST client, which then loses the close (see README).
                    String last = take();
                    response.write(last).onComplete(written -> vertx.setTimer(DROP_PAUSE_MILLIS,
                            id -> response.reset()));
                    return;
                }
                case End end -> {
                    finish();
                    counters.streamCompleted();
                    response.end(take());
                    return;
                }
            }
            if (response.writeQueueFull()) {
                flush();
                response.drainHandler(v -> run());
                return;
            }
        }
    }

    private void waitThen(long millis, boolean silent) {
        if (!silent && millis > pingMillis) {
            timer = vertx.setTimer(pingMillis, id -> {
                if (!finished) {
                    response.write(WireFormat.PING_FRAME);
                    waitThen(millis - pingMillis, false);
                }
            });
            return;
        }
        timer = vertx.setTimer(millis, id -> {
            waited = true;
            run();
        });
    }

    private void clientWentAway() {
        if (!finished) {
            finish();
            counters.streamAbandoned();
        }
    }

    private void finish() {
        finished = true;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void flush() {
        if (!pending.isEmpty()) {
            response.write(take());
        }
    }

    private String take() {
        String text = pending.toString();
        pending.setLength(0);
        return text;
    }

    /** Turns the reply into steps, and puts the fault (if any) after its number of deltas. */
    private static final class Plan {
        private final PlannedReply reply;
        private final Fault fault;
        private final Timing timing;
        private final String requestId;
        private final List<Step> steps = new ArrayList<>();
        private int deltas;
        private boolean faultPlaced;

        Plan(PlannedReply reply, Fault fault, Timing timing, String requestId) {
            this.reply = reply;
            this.fault = fault;
            this.timing = timing;
            this.requestId = requestId;
        }

        List<Step> build(String messageId, String model, InputUsage input, boolean legacyUsage) {
            frame("message_start", WireFormat.messageStart(messageId, model, input, reply.outputTokens() > 0 ? 1 : 0));
            placeFaultIfDue();
            for (int index = 0; index < reply.blocks().size(); index++) {
                int at = index;
                Block block = reply.blocks().get(index);
                // The time to first token passes before the first block starts.
                long wait = index == 0 ? timing.firstToken().toMillis() : 0;
                steps.add(new Step(wait, false, frameText("content_block_start", WireFormat.blockStart(at, block))));
                if (index == 0) {
                    steps.add(new Step(0, false, new Frame(WireFormat.PING_FRAME)));
                }
                switch (block) {
                    case TextBlock text -> text.deltas()
                            .forEach(d -> delta(WireFormat.delta(at, "text_delta", "text", d)));
                    case ThinkingBlock thinking -> {
                        thinking.deltas().forEach(d -> delta(WireFormat.delta(at, "thinking_delta", "thinking", d)));
                        delta(WireFormat.delta(at, "signature_delta", "signature", thinking.signature()));
                    }
                    case RedactedThinkingBlock redacted -> {
                    }
                    case PlannedReply.FallbackBlock fallback -> {
                    }
                    case ToolUseBlock tool -> tool.deltas()
                            .forEach(d -> delta(WireFormat.delta(at, "input_json_delta", "partial_json", d)));
                }
                frame("content_block_stop", WireFormat.blockStop(at));
            }
            if (!faultPlaced && fault != null) {
                placeFault();
            }
            frame("message_delta", WireFormat.messageDelta(reply, input, legacyUsage));
            frame("message_stop", WireFormat.messageStop());
            steps.add(new Step(0, false, new End()));
            return steps;
        }

        private static Frame frameText(String event, JsonNode data) {
            return new Frame(WireFormat.frame(event, data));
        }

        private void frame(String event, JsonNode data) {
            steps.add(new Step(0, false, frameText(event, data)));
        }

        private void delta(JsonNode data) {
            long wait = deltas == 0 ? 0 : timing.betweenDeltas().toMillis();
            steps.add(new Step(wait, false, frameText("content_block_delta", data)));
            deltas++;
            placeFaultIfDue();
        }

        private void placeFaultIfDue() {
            if (fault != null && !faultPlaced && deltas == fault.afterDeltas()) {
                placeFault();
            }
        }

        private void placeFault() {
            faultPlaced = true;
            switch (fault.kind()) {
                case ERROR_EVENT -> steps.add(new Step(0, false, new InjectedError(WireFormat.frame("error",
                        WireFormat.errorBody(fault.errorType().wireName(), fault.message(), requestId)))));
                case DROP -> steps.add(new Step(0, false, new Drop()));
                case STALL -> steps.add(new Step(fault.stall().toMillis(), true, new Frame("")));
                case HTTP, STALL_HEADERS, NONE -> {
                }
            }
        }
    }
}
