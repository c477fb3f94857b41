package dev.parley.frontdoor;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.ForwardedHeaders;
import dev.parley.anthropic.PassThroughClient;
import dev.parley.anthropic.UpstreamReply;
import dev.parley.usage.Cost;
import dev.parley.usage.Pricing;
import dev.parley.usage.TokenUsage;
import dev.parley.usage.budget.BudgetUnavailableException;
import dev.parley.usage.budget.Budgets;
import dev.parley.usage.budget.Reservation;

/**
 * A budgeted caller's message holds an upper bound of what it can cost before it is sent, as a chat turn does. The
 * prompt is counted by the upstream ({@code count_tokens}, free): no bound from the body's length holds, as a short
 * text, an image or a document can be any number of tokens. Every model that may serve it (the one it names, and
 * each model of its server-side fallback, which bills each hop) is priced at the dearest rate its prompt can be billed
 * at (any block may carry a cache breakpoint of either lifetime; the long-context band when the count crosses it),
 * plus its {@code max_tokens} of output. What does not fit is refused with 429 {@code rate_limit_error}; the ledger
 * row of the message settles the hold to its cost.
 */
@ApplicationScoped
class FrontDoorBudgets {

    /** What {@code count_tokens} accepts of a message's body (§6.3); the rest is not part of the prompt. */
    private static final Set<String> COUNTED_FIELDS = Set.of("model", "messages", "system", "tools", "tool_choice",
            "thinking", "cache_control", "output_config");
    private static final Duration RETRY_UNAVAILABLE = Duration.ofSeconds(5);
    /** Tree work only, so nothing needs registering for native images. */
    private static final ObjectMapper TREES = new ObjectMapper();

    private final Budgets budgets;
    private final Pricing pricing;
    private final PassThroughClient upstream;

    FrontDoorBudgets(Budgets budgets, Pricing pricing, PassThroughClient upstream) {
        this.budgets = budgets;
        this.pricing = pricing;
        this.upstream = upstream;
    }

    /**
     * Reserves the message's worst case; {@code false} at once for a caller without a budget. Fails with a
     * {@link DoorRefusedException} when it does not fit, or cannot be checked within {@code within}.
     */
    Uni<Boolean> reserve(MessageExchange exchange, ClientRequest request, List<String> fallbackModels,
            ForwardedHeaders headers, Duration within) {
        return Uni.createFrom().deferred(() -> budgets.appliesTo(exchange.caller())
                ? reserveWorstCase(exchange, request, fallbackModels, headers, within)
                : Uni.createFrom().item(false));
    }

    private Uni<Boolean> reserveWorstCase(MessageExchange exchange, ClientRequest request,
            List<String> fallbackModels, ForwardedHeaders headers, Duration within) {
        if (request.defaultFallbacks()) {
            throw new DoorRefusedException(DoorRefusal.forbidden("fallbacks: \"default\" lets the upstream choose "
                    + "models parley cannot price, so a caller with a budget cannot use it; list them instead."));
        }
        for (String model : request.models()) {
            if (pricing.price(model).isEmpty()) {
                throw new DoorRefusedException(DoorRefusal.forbidden("The model " + model
                        + " has no price at parley, so a caller with a budget cannot use it."));
            }
        }
        return upstream.countTokens(countBody(request.tree()), headers, within)
                .onFailure().transform(FrontDoorBudgets::countFailed)
                .map(FrontDoorBudgets::inputTokens)
                .flatMap(input -> budgets.reserve(exchange.turnId(), exchange.caller(),
                        worstCase(request, fallbackModels, input), within)
                        .onFailure(BudgetUnavailableException.class).transform(failure -> {
                            Log.warnf("budget not checked, request refused: %s", failure.getMessage());
                            return unavailable("the budget cannot be checked right now", RETRY_UNAVAILABLE);
                        }))
                .map(answer -> switch (answer) {
                    case Reservation.Granted granted -> true;
                    case Reservation.Refused refused -> throw new DoorRefusedException(DoorRefusal.after(429,
                            "rate_limit_error", "This request's worst case does not fit in the caller's "
                                    + refused.window().tag() + " budget at parley; it resets at "
                                    + refused.resetsAt() + ".",
                            Duration.between(Instant.now(), refused.resetsAt()), false));
                });
    }

    /** Ends the hold of a message that never reached the upstream (no ledger row will settle it). */
    void release(MessageExchange exchange) {
        budgets.release(exchange.turnId());
    }

    /**
     * Every model that may serve the message, each at its worst rate with its own output bound; summed: the one it
     * names, its server-side fallback's, and the caller's own fallback chain (priced, as start-up checked).
     */
    private BigDecimal worstCase(ClientRequest request, List<String> fallbackModels, long input) {
        int primaryMaxTokens = request.maxTokens().orElse(0);
        BigDecimal total = worstCase(request.model(), input, primaryMaxTokens);
        for (ClientRequest.Hop hop : request.fallbacks()) {
            total = total.add(worstCase(hop.model(), input, hop.maxTokens().orElse(primaryMaxTokens)));
        }
        for (String fallback : fallbackModels) {
            total = total.add(worstCase(fallback, input, primaryMaxTokens));
        }
        return total.setScale(12, RoundingMode.UP);
    }

    private BigDecimal worstCase(String model, long input, int maxTokens) {
        return List.of(new TokenUsage(input, maxTokens, 0, 0, 0), new TokenUsage(0, maxTokens, 0, input, 0),
                new TokenUsage(0, maxTokens, 0, 0, input)).stream()
                .map(usage -> pricing.cost(model, usage).map(Cost::totalUsd).orElseThrow())
                .max(BigDecimal::compareTo).orElseThrow();
    }

    /** The prompt of a message's body, as {@code count_tokens} takes it. */
    private static byte[] countBody(JsonNode tree) {
        ObjectNode prompt = TREES.createObjectNode();
        tree.properties().forEach(field -> {
            if (COUNTED_FIELDS.contains(field.getKey())) {
                prompt.set(field.getKey(), field.getValue());
            }
        });
        try {
            return TREES.writeValueAsBytes(prompt);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long inputTokens(UpstreamReply reply) {
        try {
            JsonNode count = TREES.readTree(reply.body()).path("input_tokens");
            if (count.canConvertToLong() && count.asLong() >= 0) {
                return count.asLong();
            }
        } catch (IOException e) {
            // answered below
        }
        throw unavailable("the request's input tokens cannot be counted right now, so its budget cannot be checked",
                RETRY_UNAVAILABLE);
    }

    /**
     * A count the upstream refused as a client error refuses the message too (it would fail the same way); any other
     * failure leaves the budget unchecked, so the message is not sent.
     */
    private static Throwable countFailed(Throwable failure) {
        if (failure instanceof AnthropicException upstream && !upstream.retryable() && upstream.status() >= 400
                && upstream.status() < 500) {
            return new DoorRefusedException(UpstreamFailures.answer(upstream, 1));
        }
        Log.warnf("budget not checked, request refused: the count failed: %s", failure.getMessage());
        Duration wait = failure instanceof AnthropicException upstream
                ? upstream.retryAfter().filter(after -> !after.isZero()).orElse(RETRY_UNAVAILABLE)
                : RETRY_UNAVAILABLE;
        return unavailable("the request's input tokens cannot be counted right now, so its budget cannot be checked",
                wait);
    }

    private static DoorRefusedException unavailable(String message, Duration wait) {
        return new DoorRefusedException(DoorRefusal.after(503, "api_error", "parley: " + message + ".", wait, false));
    }
}
