package dev.parley.frontdoor;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.parley.anthropic.ForwardedHeaders;
import dev.parley.anthropic.PassThroughClient;
import dev.parley.ratelimit.CallerStanding;
import dev.parley.resilience.ShutdownConfig;
import dev.parley.resilience.ShutdownCoordinator;

/**
 * Decides everything about a front-door request that can be decided before the upstream is called, so that a refusal
 * is an answer of its own (a {@link DoorRefusedException}) and costs nothing: a replica shutting down, a body that is
 * not a request, a caller's policy, an open circuit breaker, and for a message the caller's budget.
 */
@ApplicationScoped
class FrontDoorAdmission {

    private static final int PENDING = 0;
    private static final int ANSWERED = 1;
    private static final int LEFT = 2;

    private final CallerPolicies policies;
    private final FrontDoorBudgets budgets;
    private final PassThroughClient upstream;
    private final ShutdownCoordinator shutdown;
    private final ShutdownConfig shutdownConfig;
    private final FrontDoorConfig config;
    private final FrontDoorRateLimits rateLimits;

    FrontDoorAdmission(CallerPolicies policies, FrontDoorBudgets budgets, PassThroughClient upstream,
            ShutdownCoordinator shutdown, ShutdownConfig shutdownConfig, FrontDoorConfig config,
            FrontDoorRateLimits rateLimits) {
        this.policies = policies;
        this.budgets = budgets;
        this.upstream = upstream;
        this.shutdown = shutdown;
        this.shutdownConfig = shutdownConfig;
        this.config = config;
        this.rateLimits = rateLimits;
    }

    /**
     * A message admitted: its exchange, whether it holds a budget reservation that only its row settles, where its
     * caller stands in its rate limits (if it has any), its body as read, and its caller's policy (whose fallback
     * chain it may be handed along).
     */
    record AdmittedMessage(MessageExchange exchange, boolean holdsBudget, Optional<CallerStanding> rateLimits,
            ClientRequest request, CallerPolicies.Policy policy) {
    }

    /** Admits a message: checked, and for a budgeted caller its worst case reserved. */
    Uni<AdmittedMessage> message(String requestId, String caller, byte[] body, ForwardedHeaders headers) {
        return Uni.createFrom().deferred(() -> {
            checkOpen();
            ClientRequest request = ClientRequest.message(body);
            policies.check(caller, request, headers.beta());
            upstream.checkBreaker();
            MessageExchange exchange = new MessageExchange(requestId, caller, request.model(), request.stream(),
                    config.deadline());
            CallerPolicies.Policy policy = policies.of(caller);
            return releasedIfLeft(budgets.reserve(exchange, request, policy.fallbackModels(), headers,
                    exchange.remaining()), exchange)
                    .flatMap(held -> rateLimits.admit(exchange, request, body, policy.fallbackModels()).onFailure()
                            .invoke(() -> {
                                if (held) {
                                    budgets.release(exchange);
                                }
                            }).map(standing -> new AdmittedMessage(exchange, held, standing, request, policy)));
        });
    }

    /**
     * The reservation, given back if the client leaves while it is being made: it completes on the budget's own
     * thread, after the request's cancellation, and nothing else would end it (no row settles a message never sent).
     * One state decides whether the hold went to the message or is given back, whichever comes first.
     */
    private Uni<Boolean> releasedIfLeft(Uni<Boolean> reservation, MessageExchange exchange) {
        return Uni.createFrom().emitter(admitted -> {
            AtomicInteger state = new AtomicInteger(PENDING);
            admitted.onTermination(() -> state.compareAndSet(PENDING, LEFT));
            reservation.subscribe().with(held -> {
                if (state.compareAndSet(PENDING, ANSWERED)) {
                    admitted.complete(held);
                } else if (held) {
                    budgets.release(exchange);
                }
            }, failure -> {
                if (state.compareAndSet(PENDING, ANSWERED)) {
                    admitted.fail(failure);
                }
            });
        });
    }

    /** Admits a token count. */
    void tokenCount(String caller, byte[] body, ForwardedHeaders headers) {
        checkOpen();
        policies.check(caller, ClientRequest.tokenCount(body), headers.beta());
    }

    /** Admits a read of the model catalog. */
    void models(String caller, ForwardedHeaders headers) {
        checkOpen();
        policies.checkBetas(caller, headers.beta());
    }

    /** Ends the hold of a message that never reached the upstream. */
    void release(AdmittedMessage admitted) {
        if (admitted.holdsBudget()) {
            budgets.release(admitted.exchange());
        }
        rateLimits.release(admitted.exchange());
    }

    private void checkOpen() {
        if (shutdown.draining()) {
            // Another replica answers the SDK's retry.
            throw new DoorRefusedException(DoorRefusal.after(503, "api_error",
                    "This parley server is shutting down; send the request again.", shutdownConfig.retryAfter(),
                    false));
        }
    }
}
