package dev.parley.resume;

import java.time.Clock;
import java.time.Duration;

/** The journal contract on the memory store. */
class MemoryTurnJournalsTest extends TurnJournalsContract {

    @Override
    TurnJournals journals(Duration retention) {
        return new MemoryTurnJournals(retention, Clock.systemUTC());
    }

    @Override
    TurnJournals peer(TurnJournals journals, Duration retention) {
        return journals;
    }
}
