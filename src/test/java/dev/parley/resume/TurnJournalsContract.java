package dev.parley.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

/**
 * What every {@link TurnJournals} does, whatever keeps it: run against each store, {@link MemoryTurnJournalsTest}
 * and {@link RedisTurnJournalsTest}.
 */
abstract class TurnJournalsContract {

    static final Duration LONG = Duration.ofMinutes(5);
    static final Duration SHORT = Duration.ofMillis(300);
    static final Duration CALL = Duration.ofSeconds(10);

    /** A store whose journals are kept for {@code retention} once their turn ended. */
    abstract TurnJournals journals(Duration retention);

    /** How another replica sees {@code journals}: the same store for the memory one, a second client for Redis. */
    abstract TurnJournals peer(TurnJournals journals, Duration retention);

    static String turnId() {
        return "turn_" + UUID.randomUUID();
    }

    static Instant inAMinute() {
        return Instant.now().plusSeconds(60);
    }

    static JournalBatch batch(long firstId, long lastId, boolean last) {
        StringBuilder frames = new StringBuilder();
        for (long id = firstId; id <= lastId; id++) {
            frames.append("id: ").append(id).append("\nevent: delta\ndata: {\"text\":\"").append(id)
                    .append("\"}\n\n");
        }
        return new JournalBatch(firstId, lastId, frames.toString(), last);
    }

    static <T> T done(Uni<T> call) {
        return call.await().atMost(CALL);
    }

    /** Opens a turn and appends the batches 1, 2-4, 5-7 (the last one ends the turn when {@code ended}). */
    static List<JournalBatch> threeBatches(TurnJournals journals, String turnId, boolean ended) {
        List<JournalBatch> batches = List.of(batch(1, 1, false), batch(2, 4, false), batch(5, 7, ended));
        done(journals.open(turnId, "alice", inAMinute()));
        batches.forEach(batch -> done(journals.append(turnId, batch)));
        return batches;
    }

    @Test
    void keepsTheBatchesInOrderWithTheirIdsAndFrames() {
        TurnJournals journals = journals(LONG);
        String turnId = turnId();
        List<JournalBatch> batches = threeBatches(journals, turnId, true);

        assertThat(done(journals.after(turnId, 0))).containsExactlyElementsOf(batches);
        assertThat(done(journals.after(turnId, 0)).get(2).split()).hasSize(3).first().asString()
                .startsWith("id: 5\n");
    }

    @Test
    void afterAnswersTheBatchesHoldingLaterEventsAtEveryPosition() {
        TurnJournals journals = journals(LONG);
        String turnId = turnId();
        List<JournalBatch> batches = threeBatches(journals, turnId, false);

        assertThat(done(journals.after(turnId, 0))).containsExactlyElementsOf(batches);
        assertThat(done(journals.after(turnId, 1))).containsExactlyElementsOf(batches.subList(1, 3));
        assertThat(done(journals.after(turnId, 2))).containsExactlyElementsOf(batches.subList(1, 3));
        assertThat(done(journals.after(turnId, 3))).containsExactlyElementsOf(batches.subList(1, 3));
        assertThat(done(journals.after(turnId, 3)).getFirst().framesAfter(3)).isEqualTo(batch(4, 4, false).frames());
        assertThat(done(journals.after(turnId, 4))).containsExactly(batches.get(2));
        assertThat(done(journals.after(turnId, 6))).containsExactly(batches.get(2));
        assertThat(done(journals.after(turnId, 7))).isEmpty();
        assertThat(done(journals.after(turnId, 1000))).isEmpty();
    }

    @Test
    void stateTellsTheCallerTheLastIdAndTheEnd() {
        TurnJournals journals = journals(LONG);
        String turnId = turnId();
        Instant endsBy = inAMinute();
        Instant before = Instant.now().minusMillis(1);
        done(journals.open(turnId, "alice", endsBy));

        JournalState opened = done(journals.state(turnId)).orElseThrow();
        assertThat(opened.caller()).isEqualTo("alice");
        assertThat(opened.lastId()).isZero();
        assertThat(opened.ended()).isFalse();
        assertThat(opened.overflowed()).isFalse();
        // Redis keeps milliseconds.
        assertThat(opened.endsBy().truncatedTo(ChronoUnit.MILLIS)).isEqualTo(endsBy.truncatedTo(ChronoUnit.MILLIS));
        assertThat(opened.seenAt()).isAfter(before);

        done(journals.append(turnId, batch(1, 3, false)));
        assertThat(done(journals.state(turnId)).orElseThrow().lastId()).isEqualTo(3);
        assertThat(done(journals.state(turnId)).orElseThrow().ended()).isFalse();

        done(journals.append(turnId, batch(4, 5, true)));
        JournalState ended = done(journals.state(turnId)).orElseThrow();
        assertThat(ended.lastId()).isEqualTo(5);
        assertThat(ended.ended()).isTrue();
        assertThat(ended.lost(endsBy.plusSeconds(1))).isFalse();
    }

    @Test
    void seenMovesSeenAtForward() {
        TurnJournals journals = journals(LONG);
        String turnId = turnId();
        done(journals.open(turnId, "alice", inAMinute()));
        Instant opened = done(journals.state(turnId)).orElseThrow().seenAt();

        await().atMost(Duration.ofSeconds(5)).until(() -> {
            done(journals.seen(turnId));
            return done(journals.state(turnId)).orElseThrow().seenAt().isAfter(opened);
        });
    }

    @Test
    void anUnknownTurnHasNoStateNoEventsAndIsNotCreatedByWrites() {
        TurnJournals journals = journals(LONG);
        String turnId = turnId();
        done(journals.seen(turnId));
        done(journals.append(turnId, batch(1, 2, false)));
        done(journals.overflow(turnId));

        assertThat(done(journals.state(turnId))).isEmpty();
        assertThat(done(journals.after(turnId, 0))).isEmpty();
    }

    @Test
    void overflowDropsTheEventsAndKeepsNoneAfterIt() {
        TurnJournals journals = journals(LONG);
        String turnId = turnId();
        threeBatches(journals, turnId, false);

        done(journals.overflow(turnId));
        done(journals.append(turnId, batch(8, 9, false)));

        JournalState state = done(journals.state(turnId)).orElseThrow();
        assertThat(state.overflowed()).isTrue();
        assertThat(state.lastId()).isZero();
        assertThat(done(journals.after(turnId, 0))).isEmpty();

        done(journals.append(turnId, batch(10, 10, true)));
        assertThat(done(journals.state(turnId)).orElseThrow().ended()).isTrue();
        assertThat(done(journals.after(turnId, 0))).isEmpty();
    }

    @Test
    void anEndedTurnIsGoneAfterTheRetention() {
        TurnJournals journals = journals(SHORT);
        String turnId = turnId();
        threeBatches(journals, turnId, true);
        assertThat(done(journals.state(turnId))).isPresent();

        await().atMost(Duration.ofSeconds(5)).until(() -> done(journals.state(turnId)).isEmpty());
        assertThat(done(journals.after(turnId, 0))).isEmpty();
    }

    @Test
    void anOverflowedTurnIsGoneAfterTheRetentionFromItsLastBatch() {
        TurnJournals journals = journals(SHORT);
        String turnId = turnId();
        threeBatches(journals, turnId, false);
        done(journals.overflow(turnId));
        assertThat(done(journals.state(turnId))).isPresent();

        done(journals.append(turnId, batch(8, 8, true)));
        await().atMost(Duration.ofSeconds(5)).until(() -> done(journals.state(turnId)).isEmpty());
    }

    @Test
    void aTurnThatNeverEndedIsGoneAfterItsDeadlinePlusTheRetention() {
        TurnJournals journals = journals(SHORT);
        String turnId = turnId();
        Instant endsBy = Instant.now().plusMillis(200);
        done(journals.open(turnId, "alice", endsBy));
        done(journals.append(turnId, batch(1, 2, false)));

        await().atMost(Duration.ofSeconds(5)).until(() -> {
            Optional<JournalState> state = done(journals.state(turnId));
            return state.isEmpty() || state.get().lost(Instant.now());
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> done(journals.state(turnId)).isEmpty());
        assertThat(Instant.now()).isAfter(endsBy.plus(SHORT).minusMillis(50));
        assertThat(done(journals.after(turnId, 0))).isEmpty();
    }

    @Test
    void anotherReplicaHearsOfNewEventsAndOfStopRequests() {
        TurnJournals journals = journals(LONG);
        TurnJournals peer = peer(journals, LONG);
        Set<String> appended = ConcurrentHashMap.newKeySet();
        Set<String> stopAsked = ConcurrentHashMap.newKeySet();
        peer.listen(new TurnJournals.Signals() {
            @Override
            public void appended(String turnId) {
                appended.add(turnId);
            }

            @Override
            public void stopAsked(String turnId) {
                stopAsked.add(turnId);
            }
        });
        String turnId = turnId();
        done(journals.open(turnId, "alice", inAMinute()));

        // The peer's subscription may not be made yet: the writer goes on appending until it is heard.
        long[] next = {1};
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            done(journals.append(turnId, batch(next[0], next[0], false)));
            next[0]++;
            return appended.contains(turnId);
        });
        done(journals.askStop(turnId));
        await().atMost(Duration.ofSeconds(5)).until(() -> stopAsked.contains(turnId));
        assertThat(done(peer.after(turnId, 0))).hasSize((int) next[0] - 1);
    }

    @Test
    void anAnswerToAnAwaitedCallReachesTheReplicaThatRunsTheTurnOnceAndOnlyFromItsCaller() {
        TurnJournals answering = journals(LONG);
        TurnJournals running = peer(answering, LONG);
        Set<String> appended = ConcurrentHashMap.newKeySet();
        List<String> given = new java.util.concurrent.CopyOnWriteArrayList<>();
        running.listen(new TurnJournals.Signals() {
            @Override
            public void appended(String turnId) {
                appended.add(turnId);
            }

            @Override
            public void stopAsked(String turnId) {
            }

            @Override
            public void approvalGiven(String turnId, String callId, boolean approved) {
                given.add(turnId + " " + callId + " " + approved);
            }
        });
        String turnId = turnId();
        // Until the running replica hears the store, nothing published reaches it.
        done(answering.open(turnId, "alice", inAMinute()));
        long[] next = {1};
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            done(answering.append(turnId, batch(next[0], next[0], false)));
            next[0]++;
            return appended.contains(turnId);
        });

        done(running.awaitApprovals(turnId, "alice", List.of("toolu_1", "toolu_2"), LONG));
        assertThat(done(answering.answerApproval(turnId, "bob", "toolu_1", true)))
                .isEqualTo(TurnJournals.ApprovalAnswer.NOT_FOUND);
        assertThat(done(answering.answerApproval(turnId, "alice", "toolu_9", true)))
                .isEqualTo(TurnJournals.ApprovalAnswer.NOT_FOUND);
        assertThat(done(answering.answerApproval("turn_unknown", "alice", "toolu_1", true)))
                .isEqualTo(TurnJournals.ApprovalAnswer.NOT_FOUND);
        assertThat(done(answering.answerApproval(turnId, "alice", "toolu_1", false)))
                .isEqualTo(TurnJournals.ApprovalAnswer.DELIVERED);
        assertThat(done(answering.answerApproval(turnId, "alice", "toolu_1", true)))
                .isEqualTo(TurnJournals.ApprovalAnswer.ALREADY_ANSWERED);
        await().atMost(Duration.ofSeconds(5)).until(() -> !given.isEmpty());
        assertThat(given).containsExactly(turnId + " toolu_1 false");

        // The turn no longer waits: the unanswered call cannot be answered, the answered one stays answered.
        done(running.closeApprovals(turnId, List.of("toolu_1", "toolu_2")));
        assertThat(done(answering.answerApproval(turnId, "alice", "toolu_2", true)))
                .isEqualTo(TurnJournals.ApprovalAnswer.NOT_FOUND);
        assertThat(done(answering.answerApproval(turnId, "alice", "toolu_1", true)))
                .isEqualTo(TurnJournals.ApprovalAnswer.ALREADY_ANSWERED);
        assertThat(given).hasSize(1);
    }

    @Test
    void anAwaitedCallCannotBeAnsweredOnceItsRecordExpired() {
        TurnJournals journals = journals(LONG);
        String turnId = turnId();
        done(journals.awaitApprovals(turnId, "alice", List.of("toolu_1"), SHORT));
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
                .until(() -> done(journals.answerApproval(turnId, "alice", "toolu_1",
                        true)) == TurnJournals.ApprovalAnswer.NOT_FOUND);
    }
}
