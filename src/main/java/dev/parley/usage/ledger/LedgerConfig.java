package dev.parley.usage.ledger;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The usage ledger's settings; the datasources themselves are {@code quarkus.datasource.ledger-h2|ledger-pg}. */
@ConfigMapping(prefix = "parley.ledger")
interface LedgerConfig {

    /** Where rows are stored: the embedded H2 file database or PostgreSQL. Default {@code embedded}. */
    @WithDefault("embedded")
    Store store();

    /**
     * The folder of the ledger's files: the embedded database ({@code ledger.mv.db}) and the journal. One process at
     * a time: a second one started on it refuses to start. A relative path starts with {@code ./} (the embedded
     * database's rule). Default {@code ./data}; the embedded datasource's URL repeats it.
     */
    @WithDefault("./data")
    Path directory();

    /**
     * The journal every row is synced to before its turn's last event, and read from into the database: segment
     * files {@code <journal-file>.1}, {@code .2}, … beside this path. Default {@code ledger-journal.ndjson} in
     * {@link #directory()}.
     */
    Optional<Path> journalFile();

    /** The journal's path, explicit or in the ledger's folder. */
    default Path journal() {
        return journalFile().orElseGet(() -> directory().resolve("ledger-journal.ndjson"));
    }

    /** A journal segment is sealed and a new one started at this size; stored segments are deleted. Default 8M. */
    @WithDefault("8M")
    MemorySize journalSegmentSize();

    /**
     * Whether each group commit is forced to disk ({@code fdatasync}) before the turns' last events. {@code false}
     * keeps a row safe from the process's death (kill -9, OOM kill: the kernel still has it) but not from the
     * machine's, and saves the sync's milliseconds. Default {@code true}.
     */
    @WithDefault("true")
    boolean journalSync();

    /** Rows held in memory while the journal cannot be written (a full disk); beyond it rows are lost. Default 10000. */
    @WithDefault("10000")
    int bufferSize();

    /** Rows per JDBC batch. Default 200. */
    @WithDefault("200")
    int batchSize();

    /** When no new row woke it, how often the writer looks at the journal again. Default 200ms. */
    @WithDefault("200ms")
    Duration flushInterval();

    /** While the database is unreachable, how often the writer tries it again. Default 2s. */
    @WithDefault("2s")
    Duration retryInterval();

    /** At shutdown, how long the writer may store rows; what is left waits in the journal. Default 5s. */
    @WithDefault("5s")
    Duration shutdownTimeout();

    /**
     * Longest a read of the ledger for the API ({@code GET /v1/usage}) waits for the database; past it the request is
     * answered 503 {@code ledger_unavailable}. Default 5s.
     */
    @WithDefault("5s")
    Duration readTimeout();

    enum Store {
        EMBEDDED("ledger-h2"),
        POSTGRESQL("ledger-pg");

        private final String datasource;

        Store(String datasource) {
            this.datasource = datasource;
        }

        String datasource() {
            return datasource;
        }
    }
}
