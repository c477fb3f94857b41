package dev.parley.api;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.runtime.annotations.RegisterForReflection;

import dev.parley.chat.ChatEvent;
import dev.parley.chat.ChatFailure;
import dev.parley.usage.Cost;
import dev.parley.usage.TokenUsage;

/** The public JSON shapes of stream events and of the one-shot chat response (camelCase, documented in README). */
final class EventPayloads {

    private EventPayloads() {
    }

    @RegisterForReflection
    record TextEvent(String type, String text) {
        TextEvent(String text) {
            this("text", text);
        }
    }

    /** The model called a tool; {@code input} is the tool's input as the model wrote it. */
    @RegisterForReflection
    record ToolCallEvent(String type, String id, String name, JsonNode input) {
    }

    /** A tool returned: {@code output} when it succeeded, {@code error} (a message for the model) when not. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ToolResultEvent(String type, String id, String name, String output, String error, boolean isError,
            long durationMs) {
    }

    /** What one round (one model call) used. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record RoundView(UsageView usage, @JsonInclude(JsonInclude.Include.ALWAYS) CostView cost) {
    }

    /** A round is tried again after {@code delayMs}: UIs can say "busy, retrying in 2 s". */
    @RegisterForReflection
    record RetryEvent(String type, int attempt, String reason, long delayMs) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record DoneEvent(String type, String stopReason, String model, UsageView usage,
            @JsonInclude(JsonInclude.Include.ALWAYS) CostView cost, String conversationId, TimingsView timings,
            int roundCount, List<RoundView> rounds) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ErrorEvent(String type, ErrorView error, UsageView usage,
            @JsonInclude(JsonInclude.Include.ALWAYS) CostView cost, TimingsView timings) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ErrorView(String code, String message, boolean retryable, Long retryAfterSeconds) {
    }

    /** Token counts; {@code cacheCreationInputTokens} is the sum of the 5-minute and 1-hour writes. */
    @RegisterForReflection
    record UsageView(long inputTokens, long outputTokens, long cacheReadInputTokens, long cacheCreationInputTokens,
            long cacheWrite5mInputTokens, long cacheWrite1hInputTokens) {
    }

    /** USD, exact decimals written as plain JSON numbers. */
    @RegisterForReflection
    record CostView(BigDecimal totalUsd, BigDecimal inputUsd, BigDecimal outputUsd, BigDecimal cacheReadUsd,
            BigDecimal cacheWrite5mUsd, BigDecimal cacheWrite1hUsd) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TimingsView(Long timeToFirstTokenMs, long totalMs) {
    }

    /** The whole turn in one response, for {@code POST /v1/chat}. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ChatResponse(String text, String stopReason, String model, UsageView usage,
            @JsonInclude(JsonInclude.Include.ALWAYS) CostView cost, String conversationId, TimingsView timings,
            int roundCount, List<RoundView> rounds, List<ToolUseView> toolCalls) {
    }

    /** A tool call of a one-shot turn and its result. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ToolUseView(String id, String name, JsonNode input, String output, String error, boolean isError,
            long durationMs) {
    }

    static DoneEvent done(ChatEvent.TurnDone done) {
        return new DoneEvent("done", done.stopReason(), done.model(), usage(done.usage()),
                done.cost().map(EventPayloads::cost).orElse(null), done.conversationId().orElse(null),
                timings(done.timings()), done.rounds().size(), rounds(done));
    }

    static ToolCallEvent toolCall(ChatEvent.ToolCalled call) {
        return new ToolCallEvent("tool_call", call.id(), call.name(), call.input());
    }

    static ToolResultEvent toolResult(ChatEvent.ToolReturned result) {
        return new ToolResultEvent("tool_result", result.id(), result.name(),
                result.isError() ? null : result.content(), result.isError() ? result.content() : null,
                result.isError(), result.duration().toMillis());
    }

    private static List<RoundView> rounds(ChatEvent.TurnDone done) {
        return done.rounds().stream()
                .map(round -> new RoundView(usage(round.usage()), round.cost().map(EventPayloads::cost).orElse(null)))
                .toList();
    }

    static ErrorEvent error(ChatEvent.TurnFailed failed) {
        return new ErrorEvent("error", errorView(failed.failure()), usage(failed.usage()),
                failed.cost().map(EventPayloads::cost).orElse(null), timings(failed.timings()));
    }

    static ErrorView errorView(ChatFailure failure) {
        return new ErrorView(failure.code().wireName(), failure.message(), failure.retryable(),
                failure.retryAfter().map(wait -> Math.max(1, (wait.toMillis() + 999) / 1000)).orElse(null));
    }

    static ChatResponse response(String text, ChatEvent.TurnDone done, List<ToolUseView> toolCalls) {
        return new ChatResponse(text, done.stopReason(), done.model(), usage(done.usage()),
                done.cost().map(EventPayloads::cost).orElse(null), done.conversationId().orElse(null),
                timings(done.timings()), done.rounds().size(), rounds(done), toolCalls);
    }

    static UsageView usage(TokenUsage usage) {
        return new UsageView(usage.inputTokens(), usage.outputTokens(), usage.cacheReadInputTokens(),
                usage.cacheCreationInputTokens(), usage.cacheWrite5mInputTokens(), usage.cacheWrite1hInputTokens());
    }

    static CostView cost(Cost cost) {
        return new CostView(plain(cost.totalUsd()), plain(cost.inputUsd()), plain(cost.outputUsd()),
                plain(cost.cacheReadUsd()), plain(cost.cacheWrite5mUsd()), plain(cost.cacheWrite1hUsd()));
    }

    /** The same amount without trailing zeros: 0.000168, not 0.00016800 (the value is exact either way). */
    private static BigDecimal plain(BigDecimal usd) {
        return usd.signum() == 0 ? BigDecimal.ZERO : usd.stripTrailingZeros();
    }

    static TimingsView timings(ChatEvent.Timings timings) {
        return new TimingsView(timings.timeToFirstToken().map(ttft -> ttft.toMillis()).orElse(null),
                timings.total().toMillis());
    }
}
