package dev.parley.anthropic;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Protection of the upstream and of this process ({@code parley.upstream.*}): a circuit breaker so a dead or
 * overloaded upstream is not hammered, and a limit on concurrent upstream streams with a bounded queue.
 */
@ConfigMapping(prefix = "parley.upstream")
public interface UpstreamProtectionConfig {

    CircuitBreaker circuitBreaker();

    Concurrency concurrency();

    /** Opens after too many failed upstream calls; while open, chats are refused with 503 at once. */
    interface CircuitBreaker {

        /** How many recent upstream calls the failure ratio is computed over. */
        @WithDefault("20")
        int requestVolumeThreshold();

        /** Share of failed calls among them that opens the breaker. */
        @WithDefault("0.5")
        double failureRatio();

        /** How long the breaker stays open before letting trial calls through. */
        @WithDefault("30s")
        Duration delay();

        /** Successful trial calls needed to close it again. */
        @WithDefault("2")
        int successThreshold();
    }

    /** Concurrent upstream streams; a permit is held until the stream ends. */
    interface Concurrency {

        /** Streams to the upstream at once. */
        @WithDefault("4000")
        int maxStreams();

        /** Chats waiting for a free stream; beyond it, chats are refused with 429 at once. */
        @WithDefault("1000")
        int queueSize();
    }
}
