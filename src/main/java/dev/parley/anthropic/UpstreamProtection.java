package dev.parley.anthropic;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * SmallRye Fault Tolerance around each upstream call, where it fits a stream: a circuit breaker on the call's opening
 * (from request to first event), and a bulkhead whose permit is held for the whole life of the call's stream, not just
 * while it opens. Fault Tolerance guards {@code Uni}s, so each is given the {@code Uni} that completes at the right
 * moment. Part of {@link MessagesClient}: the client bean that makes the calls owns their protection.
 */
@Startup // the breaker must exist (and be queryable by name) before the first chat
@ApplicationScoped
public class UpstreamProtection {

    /** The breaker's name, for {@link CircuitBreakerMaintenance}. */
    public static final String BREAKER = "anthropic-upstream";
    private static final TypeLiteral<Uni<Void>> UNI_VOID = new TypeLiteral<>() {
    };
    /** Any call's {@code Uni}: one breaker judges streamed and one-shot calls alike. */
    private static final TypeLiteral<Uni<Object>> UNI_CALL = new TypeLiteral<>() {
    };
    private static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(1);

    private final TypedGuard<Uni<Object>> breaker;
    private final TypedGuard<Uni<Void>> bulkhead;
    private final Duration breakerDelay;
    private final Vertx vertx;
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final AtomicInteger waitingStreams = new AtomicInteger();

    UpstreamProtection(UpstreamProtectionConfig config, MeterRegistry registry, Vertx vertx) {
        this.vertx = vertx;
        Gauge.builder("parley.upstream.streams.active", activeStreams, AtomicInteger::get)
                .description("Turns holding an upstream stream permit").register(registry);
        Gauge.builder("parley.upstream.streams.waiting", waitingStreams, AtomicInteger::get)
                .description("Turns queued for an upstream stream permit").register(registry);
        UpstreamProtectionConfig.CircuitBreaker cb = config.circuitBreaker();
        this.breakerDelay = cb.delay();
        this.breaker = TypedGuard.create(UNI_CALL)
                .withCircuitBreaker().name(BREAKER)
                .requestVolumeThreshold(cb.requestVolumeThreshold()).failureRatio(cb.failureRatio())
                .delay(cb.delay().toMillis(), ChronoUnit.MILLIS).successThreshold(cb.successThreshold())
                .when(UpstreamProtection::isUpstreamTrouble)
                .done().withThreadOffload(false).build();
        Log.infof("Upstream streams: at most %d at once%s, %d more queued", config.concurrency().streamLimit(),
                config.concurrency().maxStreams().isPresent() ? "" : " (what the heap holds)",
                config.concurrency().queueLimit());
        this.bulkhead = TypedGuard.create(UNI_VOID)
                .withBulkhead().limit(config.concurrency().streamLimit()).queueSize(config.concurrency().queueLimit())
                .done().withThreadOffload(false).build();
    }

    /** Refuses at once while the breaker is open, so the refusal can still be an HTTP status. */
    public void checkBreaker() {
        if (CircuitBreakerMaintenance.get().currentState(BREAKER) == CircuitBreakerState.OPEN) {
            throw new UpstreamRejectedException(UpstreamRejectedException.Reason.CIRCUIT_OPEN, breakerDelay);
        }
    }

    /**
     * Opens one upstream call under the concurrency limit and the breaker. The call waits in the queue for a permit
     * and keeps it until the call is over: {@code opening} is given the release to run then (once, however the call
     * ends). The breaker judges the opening, from the request to the first event (an HTTP error, a connection
     * failure, a first-byte timeout); what follows belongs to the stream. A one-shot call (the front door's whole
     * message) is all opening: the breaker judges it whole, and it releases its permit as it ends. A full queue fails
     * with {@link UpstreamRejectedException} at once, before the upstream is called; so does an open breaker.
     * Cancelling the {@code Uni} while it waits leaves the queue. The call is made on the context that subscribed,
     * even when the permit it waited for was released on another.
     */
    <T> Uni<T> open(Function<Runnable, Uni<T>> opening) {
        return Uni.createFrom().<T>emitter(result -> {
            // Called off any context (a test, a worker), the call gets an event-loop context of its own: it needs one.
            Context caller = Vertx.currentContext();
            PermitWait<T> wait = new PermitWait<>(result, opening,
                    caller != null ? caller : vertx.getOrCreateContext());
            result.onTermination(wait::cancelled);
            wait.enqueue();
        });
    }

    /**
     * One call's way through the queue. The permit may come on any thread (the one that released it), so its state
     * is one atomic: waiting, holding or left.
     */
    private final class PermitWait<T> {
        private static final int WAITING = 0;
        private static final int HOLDING = 1;
        private static final int LEFT = 2;

        private final UniEmitter<? super T> result;
        private final Function<Runnable, Uni<T>> opening;
        private final Context caller;
        private final AtomicInteger state = new AtomicInteger(WAITING);
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile boolean done;
        private volatile Cancellable queued;
        private volatile Cancellable call;
        private volatile UniEmitter<? super Void> permit;

        PermitWait(UniEmitter<? super T> result, Function<Runnable, Uni<T>> opening, Context caller) {
            this.result = result;
            this.opening = opening;
            this.caller = caller;
        }

        void enqueue() {
            waitingStreams.incrementAndGet();
            Uni<Void> held = Uni.createFrom().<Void>emitter(this::granted);
            queued = bulkhead.get(() -> held).subscribe().with(ignored -> {
            }, this::refused);
        }

        private void granted(UniEmitter<? super Void> held) {
            if (!state.compareAndSet(WAITING, HOLDING)) {
                held.complete(null); // it left the queue just before the permit came: give it back
                return;
            }
            waitingStreams.decrementAndGet();
            activeStreams.incrementAndGet();
            permit = held;
            onContext(caller, () -> {
                if (done) {
                    release();
                    return;
                }
                call = breaker.get(() -> opening.apply(this::release).map(opened -> (Object) opened)).subscribe()
                        .with(opened -> {
                            done = true;
                            result.complete(typed(opened));
                        }, failure -> {
                            release();
                            done = true;
                            result.fail(failure instanceof CircuitBreakerOpenException
                                    ? new UpstreamRejectedException(UpstreamRejectedException.Reason.CIRCUIT_OPEN,
                                            breakerDelay)
                                    : failure);
                        });
            });
        }

        private void refused(Throwable failure) {
            if (state.compareAndSet(WAITING, LEFT)) {
                waitingStreams.decrementAndGet();
            }
            done = true;
            result.fail(failure instanceof BulkheadException
                    ? new UpstreamRejectedException(UpstreamRejectedException.Reason.TOO_MANY_STREAMS,
                            BUSY_RETRY_AFTER)
                    : failure);
        }

        /** The caller went away (or the result was given): a waiting call leaves the queue, an opening one stops. */
        void cancelled() {
            if (done) {
                return;
            }
            done = true;
            if (state.compareAndSet(WAITING, LEFT)) {
                waitingStreams.decrementAndGet();
                Cancellable inQueue = queued;
                if (inQueue != null) {
                    inQueue.cancel();
                }
                return;
            }
            Cancellable opening = call;
            if (opening != null) {
                opening.cancel(); // resets the request; the call releases the permit
            }
        }

        /** What the breaker passed on is what {@code opening} made: a {@code T}. */
        @SuppressWarnings("unchecked")
        private T typed(Object opened) {
            return (T) opened;
        }

        /** The call is over: the permit goes back, once. */
        private void release() {
            if (released.compareAndSet(false, true)) {
                activeStreams.decrementAndGet();
                permit.complete(null);
            }
        }
    }

    private static void onContext(Context context, Runnable work) {
        if (Vertx.currentContext() == context) {
            work.run();
        } else {
            context.runOnContext(ignored -> work.run());
        }
    }

    /** Failures that say the upstream is in trouble; a rejected request or a rate limit does not. */
    private static boolean isUpstreamTrouble(Throwable failure) {
        if (!(failure instanceof AnthropicException upstream)) {
            return false;
        }
        return switch (upstream.kind()) {
            case CONNECTION_FAILED, TIMEOUT, INTERRUPTED, PROXY_UNAVAILABLE -> true;
            // A proxy's refusal or a refused certificate is parley's configuration, not the upstream's trouble.
            case PROXY_REFUSED, TLS_FAILED -> upstream.retryable();
            case HTTP_ERROR, STREAM_ERROR -> upstream.status() >= 500
                    || upstream.errorType().filter(type -> type.equals("overloaded_error") || type.equals("api_error"))
                            .isPresent();
        };
    }
}
