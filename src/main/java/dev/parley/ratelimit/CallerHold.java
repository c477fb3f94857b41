package dev.parley.ratelimit;

import java.util.List;

/**
 * What one turn holds of its caller's token limits: per token window, what it has put there. Immutable: each round's
 * answer is a new hold, which the turn's owner keeps.
 *
 * @param caller whose limits
 * @param windows one per token limit the caller has
 */
public record CallerHold(String caller, List<Window> windows) {

    /**
     * @param start the window's start (epoch seconds); a turn that outlives its window moves on to the next
     * @param spentBefore the turn's tokens already counted in earlier windows of this kind when it moved here
     * @param held what the turn counts in this window: its tokens spent here plus the bound of its next round
     */
    record Window(CallerLimitKind kind, long start, long spentBefore, long held) {
    }
}
