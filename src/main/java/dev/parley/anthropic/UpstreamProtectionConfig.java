package dev.parley.anthropic;

import java.time.Duration;
import java.util.OptionalInt;

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

        /**
         * Streams to the upstream at once. Unset: as many as the heap holds, one per {@value #HEAP_PER_STREAM_KB} KiB of
         * the maximum heap beyond {@value #HEAP_BASE_MB} MiB, at most 4000 (606 with {@code -Xmx64m}, 1,596 with
         * {@code -Xmx128m}): a running turn holds about 24 KiB of heap (measured at 2,000 streams), its connection and
         * the garbage it makes meanwhile come on top, and past what the heap holds the process would run out of memory
         * instead of queueing or refusing.
         */
        OptionalInt maxStreams();

        /** Chats waiting for a free stream; beyond it, chats are refused with 429 at once. Unset: half the streams. */
        OptionalInt queueSize();

        /** Heap a running stream is budgeted, in KiB. */
        int HEAP_PER_STREAM_KB = 64;
        /** Heap parley holds before any stream, in MiB. */
        int HEAP_BASE_MB = 24;

        /** {@link #maxStreams()}, or what the heap holds. */
        default int streamLimit() {
            if (maxStreams().isPresent()) {
                return maxStreams().getAsInt();
            }
            long spare = Runtime.getRuntime().maxMemory() - HEAP_BASE_MB * 1024L * 1024L;
            return (int) Math.max(16, Math.min(4000, spare / (HEAP_PER_STREAM_KB * 1024L)));
        }

        /** {@link #queueSize()}, or half the streams: a waiting chat holds its request and its connection. */
        default int queueLimit() {
            return queueSize().orElse(streamLimit() / 2);
        }
    }
}
