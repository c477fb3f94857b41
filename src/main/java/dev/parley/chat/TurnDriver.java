package dev.parley.chat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.opentelemetry.context.Scope;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.StreamCall;
import dev.parley.anthropic.StreamEvent;
import dev.parley.anthropic.UpstreamRejectedException;
import dev.parley.resilience.FallbackRule;
import dev.parley.resilience.RetryDecision;
import dev.parley.tool.ToolCall;
import dev.parley.tool.ToolResult;
import dev.parley.usage.TokenUsage;
import dev.parley.usage.TurnOutcome;

/**
 * The one owner of a running turn's lifetime. It captures the turn's Vert.x context once (the request's) and runs
 * every step there: each attempt of each round (an upstream call, whose events the call delivers on the same context),
 * the retry delay, the tools (whose results come back from their own threads), the budget check between rounds. It
 * ends the turn exactly once, on that context, whatever the cause: completion, a failure, the client going away, the
 * deadline, the end of a shutdown's grace period, a client too slow to read; and in that one place it lets go of what
 * the turn holds (the upstream call and with it its permit, the tools, the timers, the budget hold of a turn that
 * never reached the upstream). The turn's state ({@link TurnRun}) holds no stream code; this class holds no state of
 * the conversation.
 * <p>
 * A turn none of whose calls was ever sent (it waited for a permit all along, or was refused one) has used nothing:
 * it leaves no ledger row, and its budget hold is given back at once.
 */
final class TurnDriver implements TurnControl, StreamCall.Receiver<StreamEvent> {

    private static final long NONE = -1;

    private final ChatEngine.Parts parts;
    private final PreparedTurn turn;
    private final TurnRun run;
    private final TurnListener listener;
    private final Context context;
    private final Vertx vertx;
    /** True once the end began: no step starts after it, and nothing is delivered but the last event. */
    private boolean ended;
    /** Whether an upstream call of this turn was ever sent: from then on the upstream may bill for it. */
    private boolean sent;
    private boolean paused;
    private int retriesDone;
    /** The current round's open call, if any. */
    private StreamCall<StreamEvent> call;
    /** The asynchronous step under way, if any: an opening call, the tools, the budget check. */
    private Cancellable step;
    private long retryTimer = NONE;
    private long deadlineTimer = NONE;
    private Runnable leaveDrain = () -> {
    };
    /** The calls of the current round that wait for their caller's approval, by id, in the order of the calls. */
    private final Map<String, ToolCall> awaitingApproval = new LinkedHashMap<>();
    /** The calls of the current round that run once every approval of the round is answered. */
    private final List<ToolCall> approvedOrFree = new ArrayList<>();
    private long approvalTimer = NONE;
    /**
     * Whether the round's wait is recorded, so answers may come: a client knows a call's id from its {@code tool_call}
     * and may answer before its {@code tool_approval}.
     */
    private boolean approvalsRecorded;
    /** Lets go of the round's wait for approvals, once it was recorded. */
    private Runnable leaveApprovals = () -> {
    };

    TurnDriver(ChatEngine.Parts parts, PreparedTurn turn, TurnRun run, TurnListener listener, Context context) {
        this.parts = parts;
        this.turn = turn;
        this.run = run;
        this.listener = listener;
        this.context = context;
        this.vertx = parts.vertx();
    }

    /** Starts the turn on its context: the deadline (counted from admission), the drain, the first attempt. */
    void start() {
        onContext(() -> {
            run.debug("turn started on context %s");
            // Timers set from the turn's context fire on it.
            deadlineTimer = vertx.setTimer(Math.max(1, run.remaining().toMillis()), id -> {
                deadlineTimer = NONE;
                deadlinePassed();
            });
            leaveDrain = parts.shutdown().atGraceEnd(() -> onContext(this::drained));
            attempt();
        });
    }

    // ---- the rounds

    private void attempt() {
        if (ended) {
            return;
        }
        run.startAttempt();
        // The turn's span is current while the call is subscribed, so the upstream call is its child.
        try (Scope ignored = run.span().makeCurrent()) {
            step = parts.client().open(run.request(), run.remaining(), () -> sent = true).subscribe().with(
                    opened -> onContext(() -> opened(opened)), failure -> onContext(() -> attemptFailed(failure)));
        }
    }

    private void opened(StreamCall<StreamEvent> opened) {
        step = null;
        if (ended) {
            opened.cancel();
            return;
        }
        call = opened;
        run.opened(opened.upstreamRequestId());
        if (paused) {
            opened.pause();
        }
        opened.deliverTo(this);
    }

    @Override
    public void onEvent(StreamEvent event) {
        Optional<ChatEvent> out;
        try {
            out = run.onEvent(event);
        } catch (RuntimeException stopped) {
            // The round's input leaves too little budget for its output: stopped before anything of it is sent.
            StreamCall<StreamEvent> current = call;
            call = null;
            current.cancel();
            attemptFailed(stopped);
            return;
        }
        if (out.isPresent()) {
            listener.onEvent(out.get());
        }
    }

    @Override
    public void onEnd() {
        call = null;
        TurnRun.RoundEnd end;
        try {
            end = run.endRound();
        } catch (AnthropicException cutOff) {
            attemptFailed(cutOff);
            return;
        }
        switch (end) {
            case TurnRun.RoundEnd.RunTools tools -> runTools(tools.calls());
            case TurnRun.RoundEnd.Finished finished -> end(run.finish(finished.stopReason()));
        }
    }

    @Override
    public void onFailure(Throwable failure) {
        call = null;
        attemptFailed(failure);
    }

    /** An attempt failed: retried if nothing of the round reached the client and the policy allows; else the end. */
    private void attemptFailed(Throwable failure) {
        step = null;
        if (ended) {
            return;
        }
        if (!sent && failure instanceof UpstreamRejectedException refused
                && (refused.reason() == UpstreamRejectedException.Reason.TOO_MANY_STREAMS
                        || refused.reason() == UpstreamRejectedException.Reason.CAPACITY_EXHAUSTED)) {
            // Refused a permit, or every key's capacity, before any call was made: still an HTTP status.
            parts.meter().rejected(refused.code());
            endUnsent(refused, !listener.onRefused(refused));
            return;
        }
        if (run.sentToClient()) {
            // The client has seen part of this round: a retry would repeat or contradict it.
            end(run.fail(failure));
            return;
        }
        boolean fallBackAtOnce = turn.profile().fallBackAtOnceOnOverload() && FallbackRule.overloaded(failure)
                && run.nextModel().isPresent();
        RetryDecision decision = fallBackAtOnce
                ? new RetryDecision.GiveUp(RetryDecision.Reason.NOT_RETRYABLE, Optional.empty())
                : parts.retries().decide(failure, retriesDone, run.remaining());
        switch (decision) {
            case RetryDecision.Retry retry -> {
                String reason = ChatFailure.from(failure).code().wireName();
                int next = run.nextAttempt();
                parts.retryMeter().retried(reason);
                RequestLogs.withRequestId(turn.requestId(), () -> Log.infof(
                        "retrying after %s in %d ms (attempt %d)", reason, retry.delay().toMillis(), next));
                listener.onEvent(new ChatEvent.Retrying(next, reason, retry.delay(), Optional.empty()));
                retryTimer = vertx.setTimer(Math.max(1, retry.delay().toMillis()), id -> {
                    retryTimer = NONE;
                    retriesDone++;
                    attempt();
                });
            }
            case RetryDecision.GiveUp giveUp -> {
                if (FallbackRule.handsOn(failure) && run.nextModel().isPresent() && !run.remaining().isZero()) {
                    fallBack(failure);
                } else {
                    end(run.fail(failure, giveUp.retryAfter()));
                }
            }
        }
    }

    /**
     * The round's model failed it for good (its retries spent, or overloaded with a profile that does not wait): the
     * round goes to the next model of the chain at once, with retries of its own; the chain is walked once, within
     * the turn's deadline.
     */
    private void fallBack(Throwable failure) {
        String reason = ChatFailure.from(failure).code().wireName();
        String from = run.model();
        int next = run.nextAttempt();
        String to = run.fallBack();
        parts.retryMeter().fellBack(from, to, reason);
        RequestLogs.withRequestId(turn.requestId(),
                () -> Log.infof("falling back from %s to %s after %s (attempt %d)", from, to, reason, next));
        listener.onEvent(new ChatEvent.Retrying(next, reason, Duration.ZERO, Optional.of(to)));
        retriesDone = 0;
        attempt();
    }

    /**
     * The round's tools. Calls that need approval are asked for first (a {@code ToolApprovalAsked} each) and the round
     * waits until every one is answered, or for {@code parley.tools.approval-timeout} (the turn's deadline still
     * applies); a denied or unanswered call is not run, and its result says why. Then the approved calls and those
     * that need no approval run together, in parallel. A listener that cannot ask (a one-shot turn) gets no question:
     * its calls that need approval are denied at once.
     */
    private void runTools(List<ToolCall> calls) {
        List<ToolCall> asking = parts.approvalRules().needingApproval(calls);
        if (asking.isEmpty()) {
            invokeTools(calls);
            return;
        }
        List<ToolCall> free = calls.stream().filter(call -> !asking.contains(call)).toList();
        if (!listener.canAskForApproval()) {
            asking.forEach(call -> toolReturned(parts.approvalRules().notAsked(call)));
            invokeTools(free);
            return;
        }
        approvedOrFree.clear();
        approvedOrFree.addAll(free);
        awaitingApproval.clear();
        asking.forEach(call -> awaitingApproval.put(call.id(), call));
        step = parts.approvals().await(turn.turnId(), turn.caller(), List.copyOf(awaitingApproval.keySet()),
                parts.approvalRules().timeout(), (callId, decision) -> onContext(() -> answered(callId, decision)))
                .subscribe().with(leave -> onContext(() -> approvalsAsked(asking, leave)),
                        failure -> onContext(() -> stepFailed(failure)));
    }

    /** The wait is recorded (an answer can be given now): the client is asked, and the approval timeout starts. */
    private void approvalsAsked(List<ToolCall> asking, Runnable leave) {
        step = null;
        if (ended) {
            leave.run();
            return;
        }
        leaveApprovals = leave;
        approvalsRecorded = true;
        for (ToolCall call : asking) {
            if (awaitingApproval.containsKey(call.id())) {
                listener.onEvent(new ChatEvent.ToolApprovalAsked(call.id(), call.name(), call.input()));
            }
        }
        if (awaitingApproval.isEmpty()) {
            approvalsDone(); // every answer came before the question
            return;
        }
        Duration wait = parts.approvalRules().timeout();
        approvalTimer = vertx.setTimer(Math.max(1, wait.toMillis()), id -> {
            approvalTimer = NONE;
            approvalsTimedOut(wait);
        });
    }

    private void answered(String callId, ToolApprovals.Decision decision) {
        ToolCall call = ended ? null : awaitingApproval.remove(callId);
        if (call == null) {
            return;
        }
        RequestLogs.withRequestId(turn.requestId(),
                () -> Log.infof("tool call %s of '%s': %s", callId, call.name(), decision));
        if (decision == ToolApprovals.Decision.APPROVE) {
            approvedOrFree.add(call);
        } else {
            toolReturned(parts.approvalRules().denied(call));
        }
        if (awaitingApproval.isEmpty() && approvalsRecorded) {
            approvalsDone();
        }
    }

    private void approvalsTimedOut(Duration waited) {
        if (ended || awaitingApproval.isEmpty()) {
            return;
        }
        List<ToolCall> unanswered = List.copyOf(awaitingApproval.values());
        awaitingApproval.clear();
        RequestLogs.withRequestId(turn.requestId(),
                () -> Log.infof("%d tool call(s) not approved within %d ms", unanswered.size(), waited.toMillis()));
        unanswered.forEach(call -> toolReturned(parts.approvalRules().timedOut(call, waited)));
        approvalsDone();
    }

    /** Every call of the round that needed approval was answered, or timed out: the rest of the round's tools run. */
    private void approvalsDone() {
        vertx.cancelTimer(approvalTimer);
        approvalTimer = NONE;
        approvalsRecorded = false;
        leaveApprovals.run();
        leaveApprovals = () -> {
        };
        List<ToolCall> calls = List.copyOf(approvedOrFree);
        approvedOrFree.clear();
        invokeTools(calls);
    }

    /** The tools run in parallel, each result streamed as it returns; then the next round, or the end. */
    private void invokeTools(List<ToolCall> calls) {
        try (Scope ignored = run.span().makeCurrent()) {
            step = parts.tools().invokeAll(calls).subscribe().with(
                    result -> onContext(() -> toolReturned(result)),
                    failure -> onContext(() -> stepFailed(failure)),
                    () -> onContext(this::toolsDone));
        }
    }

    private void toolReturned(ToolResult result) {
        if (!ended) {
            listener.onEvent(run.onToolResult(result));
        }
    }

    private void toolsDone() {
        step = null;
        if (ended) {
            return;
        }
        run.startNextRound();
        step = parts.budgets().beforeNextRound(run).subscribe().with(grown -> onContext(() -> {
            step = null;
            if (ended) {
                return;
            }
            grown.ifPresent(run::holdGrew);
            nextRoundWithinRateLimits();
        }), failure -> onContext(() -> stepFailed(failure)));
    }

    /** After the budget's check, the caller's rate limits: the next round's tokens held, or the end. */
    private void nextRoundWithinRateLimits() {
        step = parts.callerLimits().beforeNextRound(run).subscribe().with(grown -> onContext(() -> {
            step = null;
            if (ended) {
                return;
            }
            grown.ifPresent(run::callerHoldGrew);
            retriesDone = 0;
            attempt();
        }), failure -> onContext(() -> stepFailed(failure)));
    }

    private void stepFailed(Throwable failure) {
        step = null;
        if (!ended) {
            end(run.fail(failure));
        }
    }

    // ---- what ends a turn from outside its rounds

    private void deadlinePassed() {
        if (ended) {
            return;
        }
        DeadlineExceededException expired = new DeadlineExceededException();
        if (sent) {
            end(run.fail(expired));
        } else {
            // It waited for a permit all along: refused, counted so, nothing used.
            parts.meter().rejected(ChatFailure.Code.DEADLINE_EXCEEDED.wireName());
            endUnsent(expired, true);
        }
    }

    private void drained() {
        if (ended) {
            return;
        }
        if (!sent) {
            endUnsent(new ShuttingDownException(), true);
            return;
        }
        stopAll();
        // Asked for now: the ledger syncs every submitted row at shutdown, before the process exits.
        listener.onEvent(run.serverShutdown());
    }

    @Override
    public void pause() {
        onContext(() -> {
            paused = true;
            if (call != null) {
                call.pause();
            }
        });
    }

    @Override
    public void resume() {
        onContext(() -> {
            paused = false;
            if (call != null) {
                call.resume();
            }
        });
    }

    @Override
    public void cancel() {
        onContext(() -> {
            if (ended) {
                return;
            }
            if (sent) {
                stopAll();
                run.cancelled();
            } else {
                endUnsent(new CancelledException(), false);
            }
        });
    }

    @Override
    public void endTooSlow(Duration pausedFor) {
        endEarly(new ClientTooSlowException(pausedFor));
    }

    @Override
    public void stop(TurnStoppedException.Cause cause) {
        endEarly(new TurnStoppedException(cause));
    }

    /** Ends the turn before it completed, with an error event: its usage so far if it reached the upstream. */
    private void endEarly(RuntimeException why) {
        onContext(() -> {
            if (!ended) {
                if (sent) {
                    end(run.fail(why));
                } else {
                    endUnsent(why, true);
                }
            }
        });
    }

    // ---- the end, in one place

    /**
     * Ends a turn that reached the upstream: {@code last} has reported its usage (the ledger row) and completes with
     * its last event once the row is durable, which is when the event goes out.
     */
    private void end(Uni<ChatEvent> last) {
        stopAll();
        last.subscribe().with(event -> onContext(() -> listener.onEvent(event)),
                failure -> onContext(() -> {
                    Log.error("a turn's end failed", failure);
                    listener.onEvent(unsentFailure(failure));
                }));
    }

    /**
     * Ends a turn none of whose calls was sent: no ledger row (nothing was used), its budget hold given back now, and
     * its last event, when {@code withEvent}, an error with zero usage.
     */
    private void endUnsent(Throwable cause, boolean withEvent) {
        stopAll();
        parts.budgets().release(turn);
        ChatEvent.TurnFailed failed = unsentFailure(cause);
        run.endUnsent(failed.failure().code(), switch (cause) {
            case CancelledException cancelled -> TurnOutcome.CLIENT_CANCELLED;
            case TurnStoppedException stopped -> TurnOutcome.CLIENT_CANCELLED;
            case ShuttingDownException shutdown -> TurnOutcome.SERVER_SHUTDOWN;
            default -> TurnOutcome.UPSTREAM_ERROR;
        });
        if (withEvent) {
            listener.onEvent(failed);
        }
    }

    private ChatEvent.TurnFailed unsentFailure(Throwable cause) {
        ChatFailure failure = cause instanceof ShuttingDownException
                ? ChatFailure.of(ChatFailure.Code.SERVER_SHUTTING_DOWN, true)
                : ChatFailure.from(cause);
        return new ChatEvent.TurnFailed(failure, TokenUsage.ZERO,
                parts.pricing().cost(turn.request().model(), TokenUsage.ZERO), new ChatEvent.Timings(Optional.empty(),
                        Duration.ofNanos(System.nanoTime() - turn.admittedNanos())));
    }

    /** Lets go of everything the turn holds; after it no step starts. */
    private void stopAll() {
        ended = true;
        vertx.cancelTimer(deadlineTimer);
        vertx.cancelTimer(retryTimer);
        vertx.cancelTimer(approvalTimer);
        deadlineTimer = NONE;
        retryTimer = NONE;
        approvalTimer = NONE;
        awaitingApproval.clear();
        leaveApprovals.run();
        leaveApprovals = () -> {
        };
        Cancellable running = step;
        step = null;
        if (running != null) {
            running.cancel();
        }
        StreamCall<StreamEvent> open = call;
        call = null;
        if (open != null) {
            open.cancel();
        }
        leaveDrain.run();
    }

    private void onContext(Runnable work) {
        onContext(context, work);
    }

    /** Runs work on a context: in place when already there (no hop per event), or when there is none. */
    static void onContext(Context context, Runnable work) {
        if (context == null || Vertx.currentContext() == context) {
            work.run();
        } else {
            context.runOnContext(ignored -> work.run());
        }
    }

    /** The end of a shutdown's grace period, for a turn that never reached the upstream. */
    private static final class ShuttingDownException extends RuntimeException {
        ShuttingDownException() {
            super("server shutting down", null, false, false);
        }
    }

    /** The client went away, for a turn that never reached the upstream. */
    private static final class CancelledException extends RuntimeException {
        CancelledException() {
            super("client cancelled", null, false, false);
        }
    }
}
