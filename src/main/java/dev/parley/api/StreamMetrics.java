package dev.parley.api;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/** What the SSE writers hold: streams paused for a slow client, and the bytes queued for clients. */
@Startup
@ApplicationScoped
class StreamMetrics {

    private final AtomicLong paused = new AtomicLong();
    private final AtomicLong queuedBytes = new AtomicLong();

    StreamMetrics(MeterRegistry registry) {
        Gauge.builder("parley.streams.paused", paused, AtomicLong::get)
                .description("Chat streams whose upstream read is held because the client's write queue is full")
                .register(registry);
        Gauge.builder("parley.streams.queued", queuedBytes, AtomicLong::get).baseUnit("bytes")
                .description("Bytes of chat streams written by parley and not yet taken by the clients' sockets")
                .register(registry);
    }

    void paused(int change) {
        paused.addAndGet(change);
    }

    void queued(long bytes) {
        queuedBytes.addAndGet(bytes);
    }
}
