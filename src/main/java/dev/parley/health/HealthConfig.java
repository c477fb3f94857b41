package dev.parley.health;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Parley's own health checks ({@code parley.health.*}); README "Health and graceful shutdown". */
@ConfigMapping(prefix = "parley.health")
interface HealthConfig {

    /**
     * Whether readiness requires the usage ledger's database. Default {@code true}. With {@code false} the ledger
     * check still reports the database but stays UP: turns then go on during an outage, their rows waiting in the
     * journal.
     */
    @WithDefault("true")
    boolean ledgerRequired();

    /** How long a check waits for the ledger database, Redis, or a connection to the upstream. Default 2s. */
    @WithDefault("2s")
    Duration timeout();

    /** The upstream's reachability is probed at most this often; health requests in between see the last result. */
    @WithDefault("30s")
    Duration upstreamInterval();
}
