package dev.parley.chat;

import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;

/**
 * Starts the span of a chat turn, named and tagged after the OpenTelemetry GenAI conventions ({@code chat {model}}).
 * With the SDK off (the default) the tracer is a no-op and so is every span.
 */
@ApplicationScoped
class ChatTracing {

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<Long> REQUEST_MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    static final AttributeKey<String> ASSISTANT = AttributeKey.stringKey("parley.assistant");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("parley.request_id");

    private final Tracer tracer;

    ChatTracing(Tracer tracer) {
        this.tracer = tracer;
    }

    /** The span of this turn, started now as a child of the current span (the HTTP request's). */
    TurnSpan start(PreparedTurn turn) {
        String model = turn.request().model();
        Span span = tracer.spanBuilder("chat " + model)
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(OPERATION, "chat")
                .setAttribute(PROVIDER, "anthropic")
                .setAttribute(REQUEST_MODEL, model)
                .setAttribute(REQUEST_MAX_TOKENS, turn.request().maxTokens())
                .setAttribute(ASSISTANT, turn.profile().name())
                .setAttribute(REQUEST_ID, turn.requestId())
                .startSpan();
        return new TurnSpan(span);
    }
}
