package dev.parley.api;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The public HTTP API ({@code parley.api.*}). */
@ConfigMapping(prefix = "parley.api")
public interface ApiConfig {

    /** A {@code : ping} comment is sent on a stream that has been silent this long, so proxies keep it open. */
    @WithDefault("15s")
    Duration heartbeatInterval();

    /**
     * The most a stream may stay paused because its client reads nothing (its write queue is full, so the upstream
     * read is held): past it the turn ends with a {@code client_too_slow} error and its upstream call is let go, so a
     * client that never reads cannot hold an upstream slot until the deadline.
     */
    @WithDefault("30s")
    Duration maxPause();

    /**
     * How many bytes of a stream parley queues for a client before it pauses the upstream read (the connection's
     * write queue; what the operating system's socket buffers hold comes on top).
     */
    @WithDefault("65536")
    int writeQueueBytes();
}
