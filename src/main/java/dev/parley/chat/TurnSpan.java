package dev.parley.chat;

import java.util.List;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

import dev.parley.usage.TokenUsage;
import dev.parley.usage.TurnOutcome;

/**
 * The span of one chat turn. It is ended exactly once, by {@link TurnRun}'s single end of a turn (done, failed,
 * cancelled or stopped by shutdown), with the usage and outcome. Upstream calls and tool calls started while it is
 * current ({@link #makeCurrent}) are its children. Nothing here runs per token.
 */
final class TurnSpan {

    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<List<String>> FINISH_REASONS = AttributeKey
            .stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<Long> CACHE_READ_TOKENS = AttributeKey
            .longKey("gen_ai.usage.cache_read.input_tokens");
    static final AttributeKey<Long> CACHE_CREATION_TOKENS = AttributeKey
            .longKey("gen_ai.usage.cache_creation.input_tokens");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("parley.turn.outcome");
    static final AttributeKey<Long> ROUNDS = AttributeKey.longKey("parley.turn.rounds");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private final Span span;
    private final Context context;

    TurnSpan(Span span) {
        this.span = span;
        this.context = Context.current().with(span);
    }

    /**
     * Makes this turn's span the current one until the scope is closed, so that what is started meanwhile (an upstream
     * call, the tool calls) is its child. The turn's driver opens it around subscribing to each of them.
     */
    Scope makeCurrent() {
        return context.makeCurrent();
    }

    /** The model that answered a round, as the upstream named it. */
    void responseModel(String model) {
        if (model != null) {
            span.setAttribute(RESPONSE_MODEL, model);
        }
    }

    /** Why the turn stopped: the model's stop reason or one of parley's tool-loop limits. */
    void finishReason(String stopReason) {
        if (stopReason != null) {
            span.setAttribute(FINISH_REASONS, List.of(stopReason));
        }
    }

    /** The stable code of the failure that ends this turn (the {@code error} event's). */
    void failure(String code) {
        span.setAttribute(ERROR_TYPE, code);
    }

    void end(TurnOutcome outcome, TokenUsage usage, int rounds) {
        span.setAttribute(INPUT_TOKENS, usage.inputTokens());
        span.setAttribute(OUTPUT_TOKENS, usage.outputTokens());
        span.setAttribute(CACHE_READ_TOKENS, usage.cacheReadInputTokens());
        span.setAttribute(CACHE_CREATION_TOKENS, usage.cacheCreationInputTokens());
        span.setAttribute(OUTCOME, outcome.tag());
        span.setAttribute(ROUNDS, (long) rounds);
        if (outcome == TurnOutcome.UPSTREAM_ERROR || outcome == TurnOutcome.INTERNAL_ERROR
                || outcome == TurnOutcome.CONVERSATION_NOT_SAVED) {
            span.setStatus(StatusCode.ERROR);
        }
        span.end();
    }
}
