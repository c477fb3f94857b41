package dev.parley.usage.budget;

import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Callers' budgets: which callers have one, and reservations against them. Only budgeted callers touch the database;
 * for everyone else this costs nothing. Every call runs its JDBC on a worker thread; a database that does not answer
 * fails the reservation with {@link BudgetUnavailableException} (a budget that cannot be checked is not spent).
 */
@ApplicationScoped
public class Budgets {

    private final BudgetConfig config;
    private final BudgetStore store;
    private final MeterRegistry registry;
    private final Map<BudgetWindow, Counter> refusals = new ConcurrentHashMap<>();

    Budgets(BudgetConfig config, BudgetStore store, MeterRegistry registry) {
        this.config = config;
        this.store = store;
        this.registry = registry;
    }

    /** Whether the caller's spending is limited. */
    public boolean appliesTo(String caller) {
        return !limitsOf(caller, Instant.now()).isEmpty();
    }

    /**
     * A conservative estimate of a request's input tokens from the length of its JSON, for reserving its worst case
     * before the call (counting tokens exactly would cost a round trip to the upstream).
     */
    public long estimateInputTokens(long jsonChars, boolean offersTools) {
        long tokens = (jsonChars + config.estimateCharsPerToken() - 1) / config.estimateCharsPerToken();
        return offersTools ? tokens + config.estimateToolPromptTokens() : tokens;
    }

    /**
     * Makes a turn hold {@code totalUsd} against its caller's budget until its ledger row is stored (or its
     * {@code deadline} and a margin have passed, should that never happen). Call it again with a larger total for a
     * later round.
     */
    public Uni<Reservation> reserve(String turnId, String caller, BigDecimal totalUsd, Duration deadline) {
        return blocking(() -> {
            Instant now = Instant.now();
            Instant expiresAt = now.plus(deadline).plus(config.reservationMargin());
            Reservation answer = store.reserve(turnId, caller, totalUsd, expiresAt, limitsOf(caller, now), now);
            if (answer instanceof Reservation.Refused refused) {
                refusals.computeIfAbsent(refused.window(), window -> Counter.builder("parley.budget.refusals")
                        .description("Turns and rounds refused because they would exceed a caller's budget")
                        .tag("window", window.tag()).register(registry)).increment();
            }
            return answer;
        });
    }

    /** Ends the reservation of a turn that never reached the upstream; in the background, as best it can. */
    public void release(String turnId) {
        blocking(() -> {
            store.release(turnId);
            return null;
        }).subscribe().with(ignored -> {
        }, failure -> Log.warnf("budget reservation of turn %s not released (it lapses by itself): %s", turnId,
                failure.getMessage()));
    }

    /** Where the caller stands in each window of its budget; empty without a budget. */
    public Uni<List<BudgetStatus>> status(String caller) {
        List<WindowLimit> limits = limitsOf(caller, Instant.now());
        if (limits.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return blocking(() -> store.status(caller, limits));
    }

    private List<WindowLimit> limitsOf(String caller, Instant now) {
        Optional<BudgetConfig.Limits> limits = Optional.ofNullable(config.callers().get(caller))
                .or(config::defaults);
        if (limits.isEmpty()) {
            return List.of();
        }
        List<WindowLimit> windows = new ArrayList<>(2);
        limits.get().dailyUsd().ifPresent(usd -> windows.add(limit(BudgetWindow.DAY, usd, now)));
        limits.get().monthlyUsd().ifPresent(usd -> windows.add(limit(BudgetWindow.MONTH, usd, now)));
        return windows;
    }

    private static WindowLimit limit(BudgetWindow window, BigDecimal usd, Instant now) {
        return new WindowLimit(window, window.start(now), window.resetsAt(now), usd);
    }

    /** JDBC work, the one kind of work that blocks. */
    private interface Jdbc<T> {
        T run() throws SQLException;
    }

    private static <T> Uni<T> blocking(Jdbc<T> work) {
        return Uni.createFrom().<T>emitter(emitter -> {
            try {
                emitter.complete(work.run());
            } catch (SQLException | RuntimeException | AssertionError e) {
                // AssertionError too: with assertions on, the PostgreSQL driver asserts on a connection cut under it.
                emitter.fail(new BudgetUnavailableException(e));
            }
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }
}
