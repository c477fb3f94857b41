package dev.parley.resume;

import java.time.Duration;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Resumable turns ({@code parley.streams.*}): how long a turn whose client went away keeps running, how long its
 * events are kept, how many of them, and where.
 */
@ConfigMapping(prefix = "parley.streams")
public interface StreamsConfig {

    /**
     * How long a resumable turn goes on once no client is reading it. A client that resumes within it keeps the turn
     * running; after it the turn is stopped (upstream cancelled, usage so far recorded) with {@code client_gone}.
     */
    @WithDefault("60s")
    Duration resumeGrace();

    /** How long a turn's events are kept after the turn ended, for a client that comes back late. */
    @WithDefault("5m")
    Duration retention();

    /**
     * The most events one turn keeps. A turn that sends more stops being resumable (its kept events are dropped, the
     * live stream goes on); it never grows past the bound.
     */
    @WithDefault("20000")
    int maxEvents();

    /** The most bytes of events one turn keeps, with the same effect as {@link #maxEvents()}. */
    @WithDefault("4M")
    MemorySize maxBytes();

    /**
     * {@code memory} (this replica only, the default, needs no server: a client must come back to the same replica)
     * or {@code redis} (events shared through Redis Streams, so any replica answers a resume; the server is
     * {@code quarkus.redis.hosts}).
     */
    @WithDefault("memory")
    Store store();

    /** Prefix of the Redis keys and channel of resumable turns, so several deployments can share one Redis. */
    @WithDefault("parley:turns:")
    String redisKeyPrefix();

    /** Longest a call to Redis may take before the resume is answered 503 or the turn stops being resumable. */
    @WithDefault("2s")
    Duration redisTimeout();

    /** Where the events of resumable turns are kept. */
    enum Store {
        MEMORY,
        REDIS
    }
}
