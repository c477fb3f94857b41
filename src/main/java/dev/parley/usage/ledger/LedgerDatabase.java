package dev.parley.usage.ledger;

import jakarta.enterprise.context.ApplicationScoped;

import org.flywaydb.core.Flyway;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.flyway.FlywayDataSource;

/**
 * The database of the ledger, as {@code parley.ledger.store} chooses it: both datasources exist (a datasource's kind is
 * fixed at build time) and exactly one is active. Budgets keep their reservations in the same database, so a turn's
 * ledger row and the release of its reservation are one transaction.
 */
@ApplicationScoped
public class LedgerDatabase {

    private final AgroalDataSource dataSource;
    private final InjectableInstance<Flyway> embeddedSchema;
    private final boolean isEmbedded;

    LedgerDatabase(LedgerConfig config, @DataSource("ledger-h2") InjectableInstance<AgroalDataSource> embedded,
            @DataSource("ledger-pg") InjectableInstance<AgroalDataSource> postgresql,
            @FlywayDataSource("ledger-h2") InjectableInstance<Flyway> embeddedSchema) {
        this.isEmbedded = config.store() == LedgerConfig.Store.EMBEDDED;
        this.dataSource = isEmbedded ? embedded.get() : postgresql.get();
        this.embeddedSchema = embeddedSchema;
    }

    /**
     * Creates or upgrades the embedded database's schema. Not at Quarkus's start like PostgreSQL's: opening the
     * embedded file waits for the ledger's lock ({@link JournalLock}), so that a second process on the same folder
     * meets that lock's one-line refusal rather than the database engine's.
     */
    void migrateEmbedded() {
        if (isEmbedded) {
            embeddedSchema.get().migrate();
        }
    }

    public AgroalDataSource dataSource() {
        return dataSource;
    }
}
