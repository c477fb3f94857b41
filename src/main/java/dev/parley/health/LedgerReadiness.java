package dev.parley.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import dev.parley.usage.ledger.UsageLedger;

/**
 * Readiness check {@code ledger}: DOWN when the usage ledger's database (H2 or PostgreSQL, whichever is active) does
 * not answer {@code SELECT 1} within {@code parley.health.timeout}. The ledger itself rides out an outage with its
 * journal, so this is a choice: a replica whose turns cannot be accounted for in the shared ledger takes no traffic.
 * {@code parley.health.ledger-required=false} keeps it UP and only reports the database.
 */
@Readiness
@ApplicationScoped
class LedgerReadiness implements AsyncHealthCheck {

    private final UsageLedger ledger;
    private final HealthConfig config;

    LedgerReadiness(UsageLedger ledger, HealthConfig config) {
        this.ledger = ledger;
        this.config = config;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        // JDBC blocks: on a worker thread, and not waited for past the timeout (opening a connection may hang).
        return Uni.createFrom().item(() -> ledger.databaseAnswers(config.timeout()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .ifNoItem().after(config.timeout()).recoverWithItem(false)
                .map(answers -> HealthCheckResponse.named("ledger")
                        .status(answers || !config.ledgerRequired())
                        .withData("database", answers ? "up" : "down")
                        .withData("required", config.ledgerRequired())
                        .build());
    }
}
