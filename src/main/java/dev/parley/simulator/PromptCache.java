package dev.parley.simulator;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Cached prompt prefixes, keyed by model and prefix hash, each alive until its TTL runs out; a hit refreshes the TTL,
 * as on the real API.
 */
@ApplicationScoped
public class PromptCache {

    private static final int MAX_ENTRIES = 200_000;

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final Duration ttl5m;
    private final Duration ttl1h;

    private record Entry(long expiresAtNanos, boolean oneHour) {
    }

    PromptCache(SimulatorConfig config) {
        this.ttl5m = config.cacheTtl5m();
        this.ttl1h = config.cacheTtl1h();
    }

    /** Whether the prefix is cached; a hit refreshes its lifetime. */
    boolean hit(String key) {
        long now = System.nanoTime();
        Entry entry = entries.get(key);
        if (entry == null) {
            return false;
        }
        if (entry.expiresAtNanos - now <= 0) {
            entries.remove(key, entry);
            return false;
        }
        entries.put(key, new Entry(now + ttl(entry.oneHour).toNanos(), entry.oneHour));
        return true;
    }

    void write(String key, boolean oneHour) {
        if (entries.size() >= MAX_ENTRIES) {
            long now = System.nanoTime();
            entries.values().removeIf(entry -> entry.expiresAtNanos - now <= 0);
        }
        entries.put(key, new Entry(System.nanoTime() + ttl(oneHour).toNanos(), oneHour));
    }

    void clear() {
        entries.clear();
    }

    private Duration ttl(boolean oneHour) {
        return oneHour ? ttl1h : ttl5m;
    }
}
