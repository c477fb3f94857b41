package dev.parley.chat;

import java.time.Duration;

/**
 * What the one who asked for a turn can do with it while it runs. Callable from any thread: each call is carried out on
 * the turn's context.
 */
public interface TurnControl {

    /** The client cannot take more now: the upstream read is held until {@link #resume()}. */
    void pause();

    /** The client caught up: events flow again. */
    void resume();

    /** The client went away: the upstream call and the tools stop, the usage so far is recorded, no event follows. */
    void cancel();

    /** The client read nothing for {@code pausedFor}, the most a stream may stay paused: the turn ends with an error. */
    void endTooSlow(Duration pausedFor);

    /** A resumable turn is stopped: the upstream call and the tools stop, it ends with an error event. */
    void stop(TurnStoppedException.Cause cause);
}
