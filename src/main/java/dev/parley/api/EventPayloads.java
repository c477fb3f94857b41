package dev.parley.api;

import java.math.BigDecimal;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
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

    /** What the turn id is, wherever it appears. */
    static final String TURN_ID = "parley's id of the turn, as in the `X-Turn-Id` response header: the key of its "
            + "usage ledger row (`turn_id`)";

    @RegisterForReflection
    @Schema(name = "StartEvent", description = "`event: start`, id 1, the first event of every stream, sent with its "
            + "first frame: the turn's id, and whether the turn can be resumed (`GET /v1/chat/turns/{turnId}/stream`) "
            + "and stopped (`DELETE /v1/chat/turns/{turnId}`)")
    record StartEvent(@Schema(enumeration = "start", required = true) String type,
            @Schema(description = TURN_ID, required = true) String turnId,
            @Schema(description = "whether the request asked for a resumable turn", required = true) boolean resumable) {
    }

    @RegisterForReflection
    @Schema(name = "TextEvent", description = "`event: text`: the next piece of the reply, in order")
    record TextEvent(@Schema(enumeration = "text", required = true) String type, @Schema(required = true) String text) {
        TextEvent(String text) {
            this("text", text);
        }
    }

    /** The model called a tool; {@code input} is the tool's input as the model wrote it. */
    @RegisterForReflection
    @Schema(name = "ToolCallEvent", description = "`event: tool_call`: the model called a tool; sent as soon as the call is complete")
    record ToolCallEvent(@Schema(enumeration = "tool_call", required = true) String type, String id, String name,
            @Schema(type = SchemaType.OBJECT, description = "the tool's input as the model wrote it") JsonNode input) {
    }

    /** A call waits for the caller's approval; answered by {@code POST /v1/chat/turns/{turnId}/approvals/{callId}}. */
    @RegisterForReflection
    @Schema(name = "ToolApprovalEvent", description = "`event: tool_approval`: the model called a tool that needs approval "
            + "(`parley.tools.needs-approval`); the turn waits until `POST /v1/chat/turns/{turnId}/approvals/{callId}` "
            + "approves or denies it, for `parley.tools.approval-timeout` at most; its `tool_result` follows")
    record ToolApprovalEvent(@Schema(enumeration = "tool_approval", required = true) String type,
            @Schema(description = "the call's id, as in its `tool_call`", required = true) String callId,
            @Schema(required = true) String name,
            @Schema(type = SchemaType.OBJECT, description = "the tool's input as the model wrote it") JsonNode input) {
    }

    /** A tool returned: {@code output} when it succeeded, {@code error} (a message for the model) when not. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ToolResultEvent", description = "`event: tool_result`: the tool returned; `output` when it succeeded, `error` (a message the model is given) when not")
    record ToolResultEvent(@Schema(enumeration = "tool_result", required = true) String type, String id, String name,
            String output, String error, boolean isError, long durationMs) {
    }

    /**
     * A piece of the model's thinking ({@code text}), or the marker of a block the client cannot read
     * ({@code hidden}); never a signature.
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ThinkingEvent", description = "`event: thinking`: the next piece of the model's thinking (`text`), or a block whose text cannot be shown (`hidden`: `omitted` or `redacted`); `block` counts the turn's thinking blocks from 1 over all rounds")
    record ThinkingEvent(@Schema(enumeration = "thinking", required = true) String type, int block, String text,
            @Schema(enumeration = {
                    "omitted", "redacted"}) String hidden){
    }

    /** One thinking block of a one-shot turn: its whole text, or why it has none. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "Thinking")
    record ThinkingView(int block, String text, @Schema(enumeration = {
            "omitted", "redacted"}) String hidden){
    }

    /** What one round (one model call) used. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "Round")
    record RoundView(UsageView usage, @JsonInclude(JsonInclude.Include.ALWAYS) CostView cost,
            @Schema(description = "the upstream's `request-id` of the call that answered the round (for its console and support)") String upstreamRequestId,
            @Schema(description = "the upstream's message id (`msg_…`), as its usage reports show it") String messageId,
            @Schema(description = "the model(s) that served the round, more than one when the API's server-side fallback moved it") List<String> servedBy) {
    }

    /** A round is tried again after {@code delayMs}: UIs can say "busy, retrying in 2 s". */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "RetryEvent", description = "`event: retry`: the upstream failed before anything of this round reached the client; parley tries again after `delayMs`, on `model` when it falls back to the next model of the assistant's fallback chain")
    record RetryEvent(@Schema(enumeration = "retry", required = true) String type,
            @Schema(description = "2 for the first retry") int attempt,
            @Schema(description = "the failure's code, e.g. `upstream_overloaded`") String reason, long delayMs,
            @Schema(description = "the model the round goes to, when parley falls back to another model (it serves the rest of the turn)") String model) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "DoneEvent", description = "`event: done`: the turn is complete; usage and cost are summed over all rounds")
    record DoneEvent(@Schema(enumeration = "done", required = true) String type,
            @Schema(description = TURN_ID) String turnId,
            @Schema(description = "the model's (`end_turn`, `max_tokens`, `stop_sequence`, `refusal`), a tool-loop limit (`max_rounds`, `max_tool_calls`, `max_cost`) or `tool_call_incomplete`") String stopReason,
            String model, UsageView usage,
            @JsonInclude(JsonInclude.Include.ALWAYS) CostView cost, String conversationId, TimingsView timings,
            int roundCount, List<RoundView> rounds,
            @Schema(description = "every model that served a round, each once (the API's server-side fallback can serve with another than `model`)") List<String> servedModels,
            @Schema(type = SchemaType.OBJECT, description = "the upstream's `stop_details` of the last round, as it sent them (e.g. a refusal's `category`)") @JsonRawValue String stopDetails,
            @Schema(description = "the upstream's `service_tier` (`standard`, `priority`, `batch`)") String serviceTier) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ErrorEvent", description = "`event: error`: the turn failed after the upstream was called; usage, cost and timings up to the failure")
    record ErrorEvent(@Schema(enumeration = "error", required = true) String type,
            @Schema(description = TURN_ID) String turnId, ErrorView error, UsageView usage,
            @JsonInclude(JsonInclude.Include.ALWAYS) CostView cost, TimingsView timings) {
    }

    /** The codes of a turn that fails after the upstream was called (ChatFailure.Code, less server shutdown). */
    static final String TURN_FAILURE_CODES = "`upstream_rejected`, `upstream_auth`, `upstream_billing`, "
            + "`upstream_rate_limited`, `upstream_overloaded`, `upstream_error`, `upstream_timeout`, "
            + "`upstream_interrupted`, `upstream_unavailable`, `upstream_proxy_refused` (the egress proxy refused: 407, "
            + "403), `upstream_proxy_unavailable`, `upstream_tls_failed` (e.g. the upstream's certificate is not "
            + "trusted), `upstream_circuit_open`, `deadline_exceeded`, "
            + "`budget_exhausted` (a later round no longer fits in the caller's budget), "
            + "`caller_rate_limited` (a later round no longer fits in the caller's rate limits), `server_busy` (a later round "
            + "found the queue for upstream streams full), `upstream_capacity_exhausted` (a later round found no "
            + "upstream key with room in its rate limits before the deadline), `client_too_slow` (the stream read nothing for "
            + "`parley.api.max-pause`; the event is written but the client may never see it), `conversation_conflict`, "
            + "`conversation_not_saved` (the reply is complete, but the conversation store could not save it; "
            + "retryable; `POST /v1/chat` answers it with 503), `turn_stopped` (a resumable turn stopped by "
            + "`DELETE /v1/chat/turns/{turnId}`), `client_gone` (no client read a resumable turn for "
            + "`parley.streams.resume-grace`) or `internal_error`";

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "StreamError")
    record ErrorView(
            @Schema(description = "a problem code: `server_shutting_down`, or one of "
                    + TURN_FAILURE_CODES) String code,
            @Schema(description = "safe to show a user") String message, boolean retryable, Long retryAfterSeconds) {
    }

    /**
     * Token counts; {@code cacheCreationInputTokens} is the sum of the 5-minute and 1-hour writes;
     * {@code thinkingTokens} is the part of {@code outputTokens} spent thinking (0 where the upstream does not say).
     */
    @RegisterForReflection
    @Schema(name = "Usage")
    record UsageView(long inputTokens, long outputTokens, long cacheReadInputTokens, long cacheCreationInputTokens,
            long cacheWrite5mInputTokens, long cacheWrite1hInputTokens,
            @Schema(description = "the part of `outputTokens` spent thinking (billed as output)") long thinkingTokens) {
    }

    /** USD, exact decimals written as plain JSON numbers. */
    @RegisterForReflection
    @Schema(name = "Cost", description = "USD, exact decimals; `null` when the model has no price (never a guess)")
    record CostView(BigDecimal totalUsd, BigDecimal inputUsd, BigDecimal outputUsd, BigDecimal cacheReadUsd,
            BigDecimal cacheWrite5mUsd, BigDecimal cacheWrite1hUsd,
            @Schema(description = "what prompt caching saved: the cached and cache-written tokens at the plain input price, minus what they cost (negative while writes are not read back yet)") BigDecimal savedUsd) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "Timings")
    record TimingsView(Long timeToFirstTokenMs, long totalMs) {
    }

    /** The whole turn in one response, for {@code POST /v1/chat}. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ChatResponse")
    record ChatResponse(@Schema(description = TURN_ID) String turnId,
            @Schema(description = "the reply's text, every round's; a blank line between two rounds") String text,
            String stopReason, String model,
            UsageView usage,
            @JsonInclude(JsonInclude.Include.ALWAYS) CostView cost, String conversationId, TimingsView timings,
            int roundCount, List<RoundView> rounds, List<String> servedModels,
            @Schema(type = SchemaType.OBJECT) @JsonRawValue String stopDetails, String serviceTier,
            List<ToolUseView> toolCalls,
            @Schema(description = "the model's thinking, block by block, when the assistant shows it") List<ThinkingView> thinking) {
    }

    /** A tool call of a one-shot turn and its result. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @Schema(name = "ToolUse")
    record ToolUseView(String id, String name, JsonNode input, String output, String error, boolean isError,
            long durationMs) {
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper READER = new com.fasterxml.jackson.databind.ObjectMapper();

    static DoneEvent done(String turnId, ChatEvent.TurnDone done) {
        return new DoneEvent("done", turnId, done.stopReason(), done.model(), usage(done.usage()),
                done.cost().map(EventPayloads::cost).orElse(null), done.conversationId().orElse(null),
                timings(done.timings()), done.rounds().size(), rounds(done), done.servedModels(),
                stopDetails(done), done.serviceTier().orElse(null));
    }

    /**
     * The upstream's stop details, as the JSON object they came as: kept as its text from the upstream's own bytes
     * and written out raw, never parsed again.
     */
    private static String stopDetails(ChatEvent.TurnDone done) {
        return done.stopDetails().orElse(null);
    }

    static ToolCallEvent toolCall(ChatEvent.ToolCalled call) {
        return new ToolCallEvent("tool_call", call.id(), call.name(), call.input());
    }

    static ToolApprovalEvent toolApproval(ChatEvent.ToolApprovalAsked asked) {
        return new ToolApprovalEvent("tool_approval", asked.id(), asked.name(), asked.input());
    }

    static ToolResultEvent toolResult(ChatEvent.ToolReturned result) {
        return new ToolResultEvent("tool_result", result.id(), result.name(),
                result.isError() ? null : result.content(), result.isError() ? result.content() : null,
                result.isError(), result.duration().toMillis());
    }

    private static List<RoundView> rounds(ChatEvent.TurnDone done) {
        return done.rounds().stream()
                .map(round -> new RoundView(usage(round.usage()), round.cost().map(EventPayloads::cost).orElse(null),
                        round.upstream().requestId().orElse(null), round.upstream().messageId().orElse(null),
                        round.upstream().servedBy()))
                .toList();
    }

    static ErrorEvent error(String turnId, ChatEvent.TurnFailed failed) {
        return new ErrorEvent("error", turnId, errorView(failed.failure()), usage(failed.usage()),
                failed.cost().map(EventPayloads::cost).orElse(null), timings(failed.timings()));
    }

    static ErrorView errorView(ChatFailure failure) {
        return new ErrorView(failure.code().wireName(), failure.message(), failure.retryable(),
                failure.retryAfter().map(ProblemMappers::seconds).orElse(null));
    }

    static ChatResponse response(String turnId, String text, ChatEvent.TurnDone done, List<ToolUseView> toolCalls,
            List<ThinkingView> thinking) {
        return new ChatResponse(turnId, text, done.stopReason(), done.model(), usage(done.usage()),
                done.cost().map(EventPayloads::cost).orElse(null), done.conversationId().orElse(null),
                timings(done.timings()), done.rounds().size(), rounds(done), done.servedModels(), stopDetails(done),
                done.serviceTier().orElse(null), toolCalls,
                thinking.isEmpty() ? null : thinking);
    }

    static ThinkingEvent thinking(ChatEvent.ThinkingChunk chunk) {
        return new ThinkingEvent("thinking", chunk.block(), chunk.text(), null);
    }

    static ThinkingEvent thinking(ChatEvent.ThinkingHidden hidden) {
        return new ThinkingEvent("thinking", hidden.block(), null, hidden.why().wireName());
    }

    static UsageView usage(TokenUsage usage) {
        return new UsageView(usage.inputTokens(), usage.outputTokens(), usage.cacheReadInputTokens(),
                usage.cacheCreationInputTokens(), usage.cacheWrite5mInputTokens(), usage.cacheWrite1hInputTokens(),
                usage.thinkingTokens());
    }

    static CostView cost(Cost cost) {
        return new CostView(plain(cost.totalUsd()), plain(cost.inputUsd()), plain(cost.outputUsd()),
                plain(cost.cacheReadUsd()), plain(cost.cacheWrite5mUsd()), plain(cost.cacheWrite1hUsd()),
                plain(cost.savedUsd()));
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
