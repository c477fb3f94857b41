package dev.parley.resilience;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

import dev.parley.anthropic.AnthropicException;

/**
 * SmallRye Fault Tolerance around the upstream, where it fits a stream: a circuit breaker on the opening of each
 * upstream call (from request to first event), and a bulkhead whose permit is held for the whole life of a turn's
 * stream, not just while it opens. Fault Tolerance guards {@code Uni}s, so each is given the {@code Uni} that
 * completes at the right moment.
 */
@Startup // the breaker must exist (and be queryable by name) before the first chat
@ApplicationScoped
public class UpstreamProtection {

    /** The breaker's name, for {@link CircuitBreakerMaintenance}. */
    public static final String BREAKER = "anthropic-upstream";
    private static final TypeLiteral<Uni<Void>> UNI_VOID = new TypeLiteral<>() {
    };
    private static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(1);

    private final TypedGuard<Uni<Void>> breaker;
    private final TypedGuard<Uni<Void>> bulkhead;
    private final Duration breakerDelay;
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final AtomicInteger waitingStreams = new AtomicInteger();

    UpstreamProtection(UpstreamProtectionConfig config, MeterRegistry registry) {
        Gauge.builder("parley.upstream.streams.active", activeStreams, AtomicInteger::get)
                .description("Turns holding an upstream stream permit").register(registry);
        Gauge.builder("parley.upstream.streams.waiting", waitingStreams, AtomicInteger::get)
                .description("Turns queued for an upstream stream permit").register(registry);
        UpstreamProtectionConfig.CircuitBreaker cb = config.circuitBreaker();
        this.breakerDelay = cb.delay();
        this.breaker = TypedGuard.create(UNI_VOID)
                .withCircuitBreaker().name(BREAKER)
                .requestVolumeThreshold(cb.requestVolumeThreshold()).failureRatio(cb.failureRatio())
                .delay(cb.delay().toMillis(), ChronoUnit.MILLIS).successThreshold(cb.successThreshold())
                .when(UpstreamProtection::isUpstreamTrouble)
                .done().withThreadOffload(false).build();
        this.bulkhead = TypedGuard.create(UNI_VOID)
                .withBulkhead().limit(config.concurrency().maxStreams()).queueSize(config.concurrency().queueSize())
                .done().withThreadOffload(false).build();
    }

    /** Refuses at once while the breaker is open, so the refusal can still be an HTTP status. */
    public void checkBreaker() {
        if (CircuitBreakerMaintenance.get().currentState(BREAKER) == CircuitBreakerState.OPEN) {
            throw new UpstreamRejectedException(UpstreamRejectedException.Reason.CIRCUIT_OPEN, breakerDelay);
        }
    }

    /**
     * One upstream call under the breaker: its outcome is what happens before the first event (an HTTP error, a
     * connection failure, a timeout); what follows belongs to the stream, not to the opening.
     */
    public <T> Multi<T> opening(Multi<T> call) {
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<UniEmitter<? super Void>> opened = new AtomicReference<>();
            AtomicReference<Cancellable> running = new AtomicReference<>();
            Uni<Void> open = Uni.createFrom().emitter(openEmitter -> {
                opened.set(openEmitter);
                running.set(call.subscribe().with(item -> {
                    openEmitter.complete(null);
                    emitter.emit(item);
                }, failure -> {
                    openEmitter.fail(failure);
                    emitter.fail(failure);
                }, () -> {
                    openEmitter.complete(null);
                    emitter.complete();
                }));
            });
            Cancellable guarded = breaker.get(() -> open).subscribe().with(ignored -> {
            }, failure -> {
                if (failure instanceof CircuitBreakerOpenException) {
                    emitter.fail(new UpstreamRejectedException(UpstreamRejectedException.Reason.CIRCUIT_OPEN,
                            breakerDelay));
                }
            });
            emitter.onTermination(() -> {
                Cancellable subscription = running.get();
                if (subscription != null) {
                    subscription.cancel();
                }
                guarded.cancel();
            });
        });
    }

    /**
     * A turn under the concurrency limit: it waits in the queue for a permit and keeps it until its stream ends
     * (completion, failure or cancellation); a full queue refuses it at once, before the upstream is called. A wait
     * longer than {@code maxWait} (what is left of the turn's deadline) fails with {@code expired}, emitted on
     * {@code context}. {@code leftQueue} runs once when the turn leaves the queue without a permit (refused, out of
     * time, or cancelled while waiting), so what it holds for its call can be given back at once.
     */
    public <T> Multi<T> admitted(Multi<T> turn, Duration maxWait, Supplier<? extends Throwable> expired,
            Executor context, Runnable leftQueue) {
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<UniEmitter<? super Void>> lifetime = new AtomicReference<>();
            AtomicReference<Cancellable> running = new AtomicReference<>();
            AtomicReference<Cancellable> admission = new AtomicReference<>();
            AtomicReference<ScheduledFuture<?>> expiry = new AtomicReference<>();
            // Set once, by whichever comes first: the permit, or leaving the queue without one.
            AtomicBoolean settled = new AtomicBoolean();
            Runnable leave = () -> {
                waitingStreams.decrementAndGet();
                leftQueue.run();
            };
            waitingStreams.incrementAndGet();
            emitter.onTermination(() -> {
                if (settled.compareAndSet(false, true)) {
                    // Rejected, or cancelled while still waiting in the queue.
                    leave.run();
                } else {
                    Cancellable subscription = running.get();
                    if (subscription != null) {
                        subscription.cancel();
                    }
                    UniEmitter<? super Void> done = lifetime.get();
                    if (done != null) {
                        // A cancelled stream releases its permit too.
                        done.complete(null);
                    }
                }
                ScheduledFuture<?> timer = expiry.get();
                if (timer != null) {
                    timer.cancel(false);
                }
                Cancellable queued = admission.get();
                if (queued != null) {
                    queued.cancel();
                }
            });
            Uni<Void> permit = Uni.createFrom().<Void>emitter(done -> {
                if (!settled.compareAndSet(false, true)) {
                    // The turn left the queue just before the permit came: give it back.
                    done.complete(null);
                    return;
                }
                waitingStreams.decrementAndGet();
                activeStreams.incrementAndGet();
                lifetime.set(done);
                running.set(turn.subscribe().with(emitter::emit, failure -> {
                    emitter.fail(failure);
                    done.complete(null);
                }, () -> {
                    emitter.complete();
                    done.complete(null);
                }));
                if (emitter.isCancelled()) {
                    running.get().cancel();
                    done.complete(null);
                }
            }).onTermination().invoke(() -> {
                if (lifetime.get() != null) {
                    activeStreams.decrementAndGet();
                }
            });
            admission.set(bulkhead.get(() -> permit).subscribe().with(ignored -> {
            }, failure -> emitter.fail(failure instanceof BulkheadException
                    ? new UpstreamRejectedException(UpstreamRejectedException.Reason.TOO_MANY_STREAMS,
                            BUSY_RETRY_AFTER)
                    : failure)));
            if (!settled.get()) {
                // Queued: the wait may not outlive the turn's deadline (a timer only for a turn that waits).
                expiry.set(Infrastructure.getDefaultWorkerPool().schedule(() -> context.execute(() -> {
                    if (settled.compareAndSet(false, true)) {
                        leave.run();
                        emitter.fail(expired.get());
                    }
                }), maxWait.toMillis(), TimeUnit.MILLISECONDS));
                if (emitter.isCancelled()) {
                    expiry.get().cancel(false);
                }
            }
        });
    }

    /** Failures that say the upstream is in trouble; a rejected request or a rate limit does not. */
    private static boolean isUpstreamTrouble(Throwable failure) {
        if (!(failure instanceof AnthropicException upstream)) {
            return false;
        }
        return switch (upstream.kind()) {
            case CONNECTION_FAILED, TIMEOUT, INTERRUPTED -> true;
            case HTTP_ERROR, STREAM_ERROR -> upstream.status() >= 500
                    || upstream.errorType().filter(type -> type.equals("overloaded_error") || type.equals("api_error"))
                            .isPresent();
        };
    }
}
