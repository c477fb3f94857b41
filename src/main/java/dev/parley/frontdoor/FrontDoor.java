package dev.parley.frontdoor;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;

import dev.parley.anthropic.AnthropicException;
import dev.parley.anthropic.ForwardedHeaders;
import dev.parley.anthropic.PassThroughClient;
import dev.parley.anthropic.UpstreamRejectedException;
import dev.parley.anthropic.UpstreamReply;
import dev.parley.api.ApiConfig;
import dev.parley.frontdoor.FrontDoorAdmission.AdmittedMessage;
import dev.parley.frontdoor.UpstreamAttempts.GaveUpException;
import dev.parley.resilience.FallbackRule;
import dev.parley.resilience.RetryMeter;
import dev.parley.resilience.ShutdownCoordinator;
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
    private final ApiConfig apiConfig;
    private final ShutdownCoordinator shutdown;
    private final MeterRegistry registry;
    private final RetryMeter retryMeter;
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

    FrontDoor(FrontDoorAdmission admission, PassThroughClient upstream, UpstreamAttempts attempts,
            FrontDoorMeter meter, FrontDoorConfig config, ApiConfig apiConfig, ShutdownCoordinator shutdown,
            MeterRegistry registry, RetryMeter retryMeter) {
        this.retryMeter = retryMeter;
        this.apiConfig = apiConfig;
        this.shutdown = shutdown;
        this.admission = admission;
        this.upstream = upstream;
        this.attempts = attempts;
        this.meter = meter;
        this.config = config;
        this.registry = registry;
    }

    /**
     * {@code POST /v1/messages}, streamed or not, written to {@code response} by parley itself: RESTEasy is handed a
     * {@code Multi} without items that completes once the response has ended, and whose cancellation is the client
     * going away. Once the upstream was called the message is metered whatever happens: answered, given up on, or left
     * by its client; a whole answer is sent only once its ledger row is durable, a stream's last event likewise.
     */
    Multi<String> message(String requestId, String caller, byte[] body, ForwardedHeaders headers,
            HttpServerResponse response) {
        Context context = Vertx.currentContext();
        return admission.message(requestId, caller, body, headers).emitOn(on(context))
                .invoke(admitted -> FrontDoorRateLimits.headers(response, admitted.rateLimits()))
                .onItem().transformToMulti(admitted -> admitted.exchange().streamed()
                        ? streamed(admitted, body, headers, context, response)
                        : written(send(admitted, body, headers, context).map(DoorAnswer::passed), requestId,
                                response))
                .onFailure().recoverWithMulti(failure -> {
                    if (failure instanceof DoorRefusedException refused) {
                        FrontDoorRateLimits.headers(response, refused.rateLimits());
                    }
                    return written(Uni.createFrom().item(refused(requestId, failure)), requestId, response);
                });
    }

    private Uni<UpstreamReply> send(AdmittedMessage admitted, byte[] body, ForwardedHeaders headers,
            Context context) {
        MessageExchange exchange = admitted.exchange();
        return metered(admitted, fallingBack(admitted, body, context, 0, sent -> upstream.message(sent, headers,
                exchange.remaining(), exchange::sending)), context)
                .flatMap(reply -> Uni.createFrom().completionStage(() -> meter.answered(exchange, reply))
                        .emitOn(on(context)).map(durable -> reply));
    }

    /**
     * A streamed message: tried and retried until its first content event arrived (everything before it held back,
     * so the client has seen nothing yet), then passed on by {@link StreamRelay}, which meters it however it ends.
     */
    private Multi<String> streamed(AdmittedMessage admitted, byte[] body, ForwardedHeaders headers, Context context,
            HttpServerResponse response) {
        MessageExchange exchange = admitted.exchange();
        return metered(admitted, fallingBack(admitted, body, context, 0,
                sent -> upstream.stream(sent, headers, exchange.remaining(), exchange::sending)), context)
                .onItem().transformToMulti(call -> StreamRelay.relay(call, exchange, response, context, meter,
                        apiConfig, shutdown));
    }

    /**
     * The attempts at a message on the model it names and then, while it fails for good before anything of it
     * reached the client (a stream opens only at its first content), on each model of its caller's fallback chain in
     * turn, each with retries of its own; once, within the message's deadline. The last model's failure is the answer.
     */
    private <T> Uni<T> fallingBack(AdmittedMessage admitted, byte[] body, Context context, int position,
            Function<byte[], Uni<T>> call) {
        MessageExchange exchange = admitted.exchange();
        List<String> chain = admitted.policy().fallbackModels();
        byte[] sent = position == 0
                ? body
                : FallbackBodies.forModel(admitted.request().tree(), chain.get(position - 1));
        boolean atOnce = admitted.policy().fallBackAtOnceOnOverload() && position < chain.size();
        return attempts.run(() -> call.apply(sent), context, exchange::remaining, atOnce)
                .onFailure(GaveUpException.class).recoverWithUni(failure -> {
                    AnthropicException last = ((GaveUpException) failure).last();
                    if (position == chain.size() || !FallbackRule.handsOn(last) || exchange.remaining().isZero()) {
                        return Uni.createFrom().failure(failure);
                    }
                    String from = position == 0 ? exchange.model() : chain.get(position - 1);
                    String to = chain.get(position);
                    retryMeter.fellBack(from, to, UpstreamFailures.code(last));
                    Log.infof("front door: falling back from %s to %s after %s", from, to, UpstreamFailures.code(last));
                    return fallingBack(admitted, body, context, position + 1, call);
                });
    }

    /**
     * The upstream's attempts at a message until its answer (or its stream's opening): metered if it fails after the
     * upstream was called, or if the client leaves meanwhile; its budget hold released if it never was.
     */
    private <T> Uni<T> metered(AdmittedMessage admitted, Uni<T> attempts, Context context) {
        MessageExchange exchange = admitted.exchange();
        return attempts.emitOn(on(context))
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

    /** A whole answer written to the connection once it is known; the {@code Multi} completes once it is sent. */
    private static Multi<String> written(Uni<DoorAnswer> answer, String requestId, HttpServerResponse response) {
        return answer.onItem().transformToMulti(whole -> Multi.createFrom().<String>emitter(sent -> {
            if (response.headWritten()) {
                // Only a bug gets here: a stream that began cannot be answered whole. Its client sees a cut.
                Log.error("front door: an answer came for a response already begun; the connection is reset");
                response.reset();
                sent.complete();
                return;
            }
            whole.writeTo(response, requestId).onComplete(done -> sent.complete());
        }));
    }

    /** A message that got no answer: metered if the upstream was called, its hold released if not. */
    private <T> Uni<T> unanswered(AdmittedMessage admitted, Throwable failure, Context context) {
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
        }).emitOn(on(context)).map(DoorAnswer::passed)
                .onFailure().recoverWithItem(failure -> refused(requestId, failure)).map(DoorAnswer::response);
    }

    /** Parley's answer instead of the upstream's, in Anthropic's error shape. */
    private DoorAnswer refused(String requestId, Throwable failure) {
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
        return DoorAnswer.refused(refusal, requestId);
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
