package dev.parley.resilience;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How parley drains when it is asked to stop ({@code parley.shutdown.*}); the order of events is in the README,
 * "Graceful shutdown".
 */
@ConfigMapping(prefix = "parley.shutdown")
public interface ShutdownConfig {

    /**
     * How long the streams running when shutdown begins may go on; whatever still runs then is ended with an
     * {@code error} event {@code server_shutting_down}. Counted from the start of shutdown (SIGTERM), so keep it
     * below Kubernetes' {@code terminationGracePeriodSeconds}.
     */
    @WithDefault("25s")
    Duration gracePeriod();

    /** The {@code Retry-After} of the 503 that refuses new chats while shutting down. */
    @WithDefault("1s")
    Duration retryAfter();
}
