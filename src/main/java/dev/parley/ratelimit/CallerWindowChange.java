package dev.parley.ratelimit;

import java.time.Instant;

/**
 * One change to one window's count, as a store applies it.
 *
 * @param key the window's key: the caller, the kind and the window's start
 * @param delta what to add (negative to give back)
 * @param limit the most the window may hold after a positive delta; 0 for a change that is never refused (a
 *            settlement: the tokens were used)
 * @param expiresAt when the store may forget the window (its end, and a margin)
 */
record CallerWindowChange(String key, long delta, long limit, Instant expiresAt) {

    boolean checked() {
        return limit > 0 && delta > 0;
    }
}
