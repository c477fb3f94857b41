package dev.parley.frontdoor;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.ForwardedHeaders;
import dev.parley.anthropic.PassThroughClient;
import dev.parley.anthropic.UpstreamRejectedException;
import dev.parley.anthropic.UpstreamReply;
import dev.parley.frontdoor.FrontDoorAdmission.AdmittedMessage;
import dev.parley.frontdoor.UpstreamAttempts.GaveUpException;
import dev.parley.usage.TurnOutcome;

/**
 * Runs a front-door request: admitted, passed to the upstream (with retries in one layer), metered when it is a
 * message, answered with the upstream's own answer or with parley's refusal in Anthropic's error shape. Everything
 * after the upstream's answer happens on the request's own context, so a request's log lines keep its id.
 */
@ApplicationScoped
class FrontDoor {

    private final FrontDoorAdmission admission;
    private final PassThroughClient upstream;
    private final UpstreamAttempts attempts;
    private final FrontDoorMeter meter;
    private final FrontDoorConfig config;
    private final MeterRegistry registry;
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

    FrontDoor(FrontDoorAdmission admission, PassThroughClient upstream, UpstreamAttempts attempts,
            FrontDoorMeter meter, FrontDoorConfig config, MeterRegistry registry) {
        this.admission = admission;
        this.upstream = upstream;
        this.attempts = attempts;
        this.meter = meter;
        this.config = config;
        this.registry = registry;
    }

    /**
     * {@code POST /v1/messages}, non-streamed. Once the upstream was called it is metered whatever happens: answered,
     * given up on, or left by its client; its answer is sent only once its ledger row is durable.
     */
    Uni<Response> message(String requestId, String caller, byte[] body, ForwardedHeaders headers) {
        Context context = Vertx.currentContext();
        return admission.message(requestId, caller, body, headers).emitOn(on(context))
                .flatMap(admitted -> send(admitted, body, headers, context))
                .onFailure().recoverWithItem(failure -> refused(requestId, failure));
    }

    private Uni<Response> send(AdmittedMessage admitted, byte[] body, ForwardedHeaders headers, Context context) {
        MessageExchange exchange = admitted.exchange();
        return attempts.run(() -> upstream.message(body, headers, exchange.remaining(), exchange::sending), context,
                exchange::remaining)
                .emitOn(on(context))
                .flatMap(reply -> Uni.createFrom().completionStage(() -> meter.answered(exchange, reply))
                        .emitOn(on(context)).map(durable -> passed(reply)))
                .onFailure().recoverWithUni(failure -> unanswered(admitted, failure, context))
                .onCancellation().invoke(() -> {
                    // The client went away: the upstream call is cancelled with it, and may have been billed.
                    if (exchange.sent()) {
                        meter.unanswered(exchange, null, TurnOutcome.CLIENT_CANCELLED);
                    } else {
                        admission.release(admitted);
                    }
                });
    }

    /** A message that got no answer: metered if the upstream was called, its hold released if not. */
    private Uni<Response> unanswered(AdmittedMessage admitted, Throwable failure, Context context) {
        MessageExchange exchange = admitted.exchange();
        if (!exchange.sent()) {
            admission.release(admitted);
            return Uni.createFrom().failure(failure);
        }
        Throwable last = failure instanceof GaveUpException gaveUp ? gaveUp.last() : failure;
        // A retry refused by the breaker or the concurrency limit ends the message as the upstream's trouble too.
        TurnOutcome outcome = last instanceof AnthropicException || last instanceof UpstreamRejectedException
                ? TurnOutcome.UPSTREAM_ERROR
                : TurnOutcome.INTERNAL_ERROR;
        return Uni.createFrom().completionStage(() -> meter.unanswered(exchange, last, outcome)).emitOn(on(context))
                .flatMap(durable -> Uni.createFrom().failure(failure));
    }

    /** {@code POST /v1/messages/count_tokens}: free, so not metered; retried like a message. */
    Uni<Response> countTokens(String requestId, String caller, byte[] body, ForwardedHeaders headers) {
        long deadline = System.nanoTime() + config.deadline().toNanos();
        return call(requestId, () -> admission.tokenCount(caller, body, headers),
                () -> upstream.countTokens(body, headers, remaining(deadline)), deadline);
    }

    /** {@code GET /v1/models}, its paging passed on. */
    Uni<Response> models(String requestId, String caller, ForwardedHeaders headers, Optional<Integer> limit,
            Optional<String> afterId, Optional<String> beforeId) {
        long deadline = System.nanoTime() + config.deadline().toNanos();
        return call(requestId, () -> admission.models(caller, headers),
                () -> upstream.models(headers, limit, afterId, beforeId), deadline);
    }

    /** {@code GET /v1/models/{id}}. */
    Uni<Response> model(String requestId, String caller, String id, ForwardedHeaders headers) {
        long deadline = System.nanoTime() + config.deadline().toNanos();
        return call(requestId, () -> admission.models(caller, headers), () -> upstream.model(id, headers), deadline);
    }

    /** A call that is not metered: admitted once ({@code admit} throws its refusal), then tried and retried. */
    private Uni<Response> call(String requestId, Runnable admit, Supplier<Uni<UpstreamReply>> call, long deadline) {
        Context context = Vertx.currentContext();
        return Uni.createFrom().deferred(() -> {
            admit.run();
            return attempts.run(call, context, () -> remaining(deadline));
        }).emitOn(on(context)).map(FrontDoor::passed)
                .onFailure().recoverWithItem(failure -> refused(requestId, failure));
    }

    /** The upstream's answer as it sent it: status, the headers that pass, the body byte for byte. */
    private static Response passed(UpstreamReply reply) {
        Response.ResponseBuilder response = Response.status(reply.status())
                .type(reply.headers().getOrDefault("content-type", MediaType.APPLICATION_JSON)).entity(reply.body());
        reply.headers().forEach((name, value) -> {
            if (!name.equals("content-type")) {
                response.header(name, value);
            }
        });
        return response.build();
    }

    /** Parley's answer instead of the upstream's, in Anthropic's error shape. */
    private Response refused(String requestId, Throwable failure) {
        DoorRefusal refusal = switch (failure) {
            case DoorRefusedException refused -> refused.refusal();
            case GaveUpException gaveUp -> {
                logGivenUp(gaveUp);
                yield UpstreamFailures.answer(gaveUp.last(), gaveUp.attempts());
            }
            case UpstreamRejectedException rejected -> UpstreamFailures.answer(rejected, 0);
            default -> {
                Log.error("front door request failed", failure);
                yield DoorRefusal.terminal(500, "api_error", "Something went wrong in parley.");
            }
        };
        refusals(refusal).increment();
        return refusal.response(requestId);
    }

    /** The upstream's own message goes to the log (its texts redacted of secrets), never to the client. */
    private static void logGivenUp(GaveUpException gaveUp) {
        Log.warnf("front door: upstream failure after %d attempt(s): %s %s", gaveUp.attempts(),
                gaveUp.last().getMessage(), gaveUp.last().upstreamMessage().orElse(""));
    }

    /** Refusals by status and error type, both closed sets. */
    private Counter refusals(DoorRefusal refusal) {
        return refusals.computeIfAbsent(refusal.status() + " " + refusal.errorType(),
                key -> Counter.builder("parley.front_door.refusals")
                        .description("Front-door requests answered with parley's error instead of the upstream's "
                                + "answer, by status and error type")
                        .tag("status", Integer.toString(refusal.status())).tag("type", refusal.errorType())
                        .register(registry));
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(deadline - System.nanoTime());
    }

    /** Runs the rest of a request on its own context (at once when already there). */
    private static Executor on(Context context) {
        return work -> {
            if (context == null || Vertx.currentContext() == context) {
                work.run();
            } else {
                context.runOnContext(ignored -> work.run());
            }
        };
    }
}
