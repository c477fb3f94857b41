package dev.parley.usage.ledger;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.InjectableInstance;

/**
 * The database of the ledger, as {@code parley.ledger.store} chooses it: both datasources exist (a datasource's kind is
 * fixed at build time) and exactly one is active. Budgets keep their reservations in the same database, so a turn's
 * ledger row and the release of its reservation are one transaction.
 */
@ApplicationScoped
public class LedgerDatabase {

    private final AgroalDataSource dataSource;

    LedgerDatabase(LedgerConfig config, @DataSource("ledger-h2") InjectableInstance<AgroalDataSource> embedded,
            @DataSource("ledger-pg") InjectableInstance<AgroalDataSource> postgresql) {
        this.dataSource = config.store() == LedgerConfig.Store.EMBEDDED ? embedded.get() : postgresql.get();
    }

    public AgroalDataSource dataSource() {
        return dataSource;
    }
}
