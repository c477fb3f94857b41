package dev.parley.api;

import java.util.concurrent.atomic.AtomicLong;

/** A count of body bytes held across all requests, refusing what would pass its capacity. Thread-safe. */
final class BodyBudget {

    private final long capacity;
    private final AtomicLong held = new AtomicLong();

    BodyBudget(long capacity) {
        this.capacity = capacity;
    }

    /** Takes {@code bytes} if they fit, all or nothing. */
    boolean tryTake(long bytes) {
        while (true) {
            long now = held.get();
            if (now + bytes > capacity) {
                return false;
            }
            if (held.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void giveBack(long bytes) {
        held.addAndGet(-bytes);
    }

    long held() {
        return held.get();
    }

    long capacity() {
        return capacity;
    }
}
