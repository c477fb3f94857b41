package dev.parley.usage.budget;

import java.math.BigDecimal;
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

import dev.parley.usage.ledger.LedgerCalls;
import dev.parley.usage.ledger.LedgerUnavailableException;

/**
 * Callers' budgets: which callers have one, and reservations against them. Only budgeted callers touch the database;
 * for everyone else this costs nothing. Every call runs its JDBC through {@link LedgerCalls}; a database that fails or
 * does not answer within {@code parley.budgets.timeout} fails the call with {@link BudgetUnavailableException} (a
 * budget that cannot be checked is not spent).
 */
@ApplicationScoped
public class Budgets {

    private final BudgetConfig config;
    private final BudgetStore store;
    private final LedgerCalls database;
    private final MeterRegistry registry;
    private final Map<BudgetWindow, Counter> refusals = new ConcurrentHashMap<>();

    Budgets(BudgetConfig config, BudgetStore store, LedgerCalls database, MeterRegistry registry) {
        this.config = config;
        this.store = store;
        this.database = database;
        this.registry = registry;
    }

    /** Whether the caller's spending is limited. */
    public boolean appliesTo(String caller) {
        return !limitsOf(caller, Instant.now()).isEmpty();
    }

    /**
     * Makes a turn hold {@code totalUsd} against its caller's budget until its ledger row is stored (or its
     * {@code deadline} and a margin have passed, should that never happen). Call it again with a larger total for a
     * later round. Answered within {@code parley.budgets.timeout}, or within {@code deadline} when that is shorter:
     * a turn does not wait for its budget longer than it may run.
     */
    public Uni<Reservation> reserve(String turnId, String caller, BigDecimal totalUsd, Duration deadline) {
        Duration timeout = deadline.compareTo(config.timeout()) < 0 ? deadline : config.timeout();
        return blocking(timeout, () -> {
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
        blocking(config.timeout(), () -> {
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
        return blocking(config.timeout(), () -> store.status(caller, limits));
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

    private <T> Uni<T> blocking(Duration timeout, LedgerCalls.Jdbc<T> work) {
        return database.call(work, timeout).onFailure(LedgerUnavailableException.class)
                .transform(BudgetUnavailableException::new);
    }
}
