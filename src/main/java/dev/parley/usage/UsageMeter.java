package dev.parley.usage;

import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;

import dev.parley.usage.ledger.UsageLedger;

/**
 * Reports every turn that reached the upstream: one row in the {@link UsageLedger}, one log line (no prompt content;
 * the request id comes from the logging MDC, set by the caller) and metrics named after the
 * OpenTelemetry GenAI conventions where they exist ({@code gen_ai.client.token.usage},
 * {@code gen_ai.client.operation.duration}), plus parley's own. Tags come only from closed sets.
 */
@ApplicationScoped
public class UsageMeter {

    private static final String REQUESTS = "Chat requests by outcome; rejected ones were refused before the upstream";

    private final MeterRegistry registry;
    private final UsageLedger ledger;
    private final Map<String, Meters> metersByModelAndOutcome = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejectionsByReason = new ConcurrentHashMap<>();
    private final Counter rejected;

    UsageMeter(MeterRegistry registry, UsageLedger ledger) {
        this.registry = registry;
        this.ledger = ledger;
        // Refused before a model was called: the request counts, under no model.
        this.rejected = Counter.builder("parley.chat.requests").description(REQUESTS)
                .tag("gen_ai.request.model", "none").tag("outcome", "rejected").register(registry);
    }

    /**
     * Counts a chat request refused before the upstream was called ({@code reason}: a problem code, a closed set);
     * it has no ledger row, as it cost nothing.
     */
    public void rejected(String reason) {
        rejected.increment();
        rejectionsByReason.computeIfAbsent(reason, r -> Counter.builder("parley.chat.rejections")
                .description("Chat requests refused before the upstream was called, by problem code")
                .tag("reason", r).register(registry)).increment();
    }

    /**
     * Reports an ended turn. The stage completes once the turn's ledger row is durable (synced to the ledger's
     * journal), on the journal's thread; it never fails. Metrics and the log line are recorded at once.
     */
    public CompletionStage<Void> record(UsageRecord record) {
        return record(record, record.model());
    }

    /**
     * Reports an ended turn whose requested model may be any name a client sent (the front door's): the ledger keeps
     * the name, while metrics and the log line carry {@code modelTag}, which the caller picks from a closed set.
     */
    public CompletionStage<Void> record(UsageRecord record, String modelTag) {
        CompletionStage<Void> durable = ledger.append(record);
        Meters meters = metersByModelAndOutcome.computeIfAbsent(modelTag + '\u0000' + record.outcome(),
                key -> new Meters(registry, modelTag, record.outcome()));
        TokenUsage usage = record.usage();
        meters.input.record(usage.inputTokens());
        meters.output.record(usage.outputTokens());
        meters.cacheRead.record(usage.cacheReadInputTokens());
        meters.cacheCreation.record(usage.cacheCreationInputTokens());
        meters.duration.record(record.duration());
        meters.turns.increment();
        record.timeToFirstToken().ifPresent(meters.timeToFirstToken::record);
        meters.thinking.increment(usage.thinkingTokens());
        if (usage.cacheReadInputTokens() > 0) {
            meters.cacheHits.increment();
        }
        record.cost().ifPresent(cost -> {
            meters.cost.increment(cost.totalUsd().doubleValue());
            // A counter only grows (Prometheus's ignores a negative increment): a turn whose cache writes cost more
            // than its reads saved counts that excess apart, so that saved - overspent is the net saving.
            if (cost.savedUsd().signum() > 0) {
                meters.cacheSaved.increment(cost.savedUsd().doubleValue());
            } else if (cost.savedUsd().signum() < 0) {
                meters.cacheOverspent.increment(cost.savedUsd().negate().doubleValue());
            }
        });
        if (Log.isInfoEnabled()) {
            // Built by hand: printf-style formatting was a third of this line's cost, paid once per turn.
            Log.info(new StringBuilder(160).append("turn ").append(record.outcome().tag())
                    .append(" assistant=").append(record.assistant()).append(" model=").append(modelTag)
                    .append(" tokens in=").append(usage.inputTokens()).append(" out=").append(usage.outputTokens())
                    .append(" cache_read=").append(usage.cacheReadInputTokens())
                    .append(" cache_write=").append(usage.cacheCreationInputTokens())
                    .append(" cost=")
                    .append(record.cost().map(cost -> cost.totalUsd().toPlainString()).orElse("unknown"))
                    .append(" ttft_ms=").append(record.timeToFirstToken().map(ttft -> Long.toString(ttft.toMillis()))
                            .orElse("-"))
                    .append(" duration_ms=").append(record.duration().toMillis()).toString());
        }
        return durable;
    }

    /** The meters of one (model, outcome) pair, built once. */
    private static final class Meters {
        final DistributionSummary input;
        final DistributionSummary output;
        final DistributionSummary cacheRead;
        final DistributionSummary cacheCreation;
        final Timer duration;
        final Timer timeToFirstToken;
        final Counter turns;
        final Counter cost;
        final Counter thinking;
        final Counter cacheHits;
        final Counter cacheSaved;
        final Counter cacheOverspent;

        Meters(MeterRegistry registry, String model, TurnOutcome outcome) {
            input = tokens(registry, model, "input");
            output = tokens(registry, model, "output");
            cacheRead = tokens(registry, model, "cache_read");
            cacheCreation = tokens(registry, model, "cache_creation");
            duration = Timer.builder("gen_ai.client.operation.duration")
                    .description("Duration of a chat turn, all upstream calls included")
                    .tag("gen_ai.operation.name", "chat").tag("gen_ai.provider.name", "anthropic")
                    .tag("gen_ai.request.model", model).tag("outcome", outcome.tag())
                    .register(registry);
            timeToFirstToken = Timer.builder("parley.chat.time_to_first_token")
                    .description("Time from the request to the first text sent to the client")
                    .tag("gen_ai.request.model", model).register(registry);
            turns = Counter.builder("parley.chat.requests").description(REQUESTS)
                    .tag("gen_ai.request.model", model).tag("outcome", outcome.tag()).register(registry);
            cost = Counter.builder("parley.chat.cost").baseUnit("usd")
                    .description("Cost of chat turns in USD (turns of unpriced models not included)")
                    .tag("gen_ai.request.model", model).register(registry);
            // Not a gen_ai.client.token.usage type: thinking is part of the output tokens, and summing the types
            // would count it twice.
            thinking = Counter.builder("parley.chat.thinking.tokens")
                    .description("Output tokens chat turns spent thinking (part of the output tokens)")
                    .tag("gen_ai.request.model", model).register(registry);
            cacheHits = Counter.builder("parley.chat.cache.hits")
                    .description("Chat turns that read part of their prompt from the prompt cache")
                    .tag("gen_ai.request.model", model).register(registry);
            cacheSaved = Counter.builder("parley.chat.cache.saved").baseUnit("usd")
                    .description("USD prompt caching saved on the turns where it saved (priced models); the net "
                            + "saving is this minus parley.chat.cache.overspent")
                    .tag("gen_ai.request.model", model).register(registry);
            cacheOverspent = Counter.builder("parley.chat.cache.overspent").baseUnit("usd")
                    .description("USD prompt caching cost beyond plain input on the turns whose cache writes "
                            + "outweighed their reads (writes not read back yet; priced models)")
                    .tag("gen_ai.request.model", model).register(registry);
        }

        private static DistributionSummary tokens(MeterRegistry registry, String model, String type) {
            return DistributionSummary.builder("gen_ai.client.token.usage").baseUnit("{token}")
                    .description("Tokens used per chat turn")
                    .tag("gen_ai.operation.name", "chat").tag("gen_ai.provider.name", "anthropic")
                    .tag("gen_ai.request.model", model).tag("gen_ai.token.type", type)
                    .register(registry);
        }
    }
}
