package dev.parley.resume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

import dev.parley.api.TcpSwitch;

/**
 * The journal contract on the Redis store (the server on this machine, 127.0.0.1:6379, under a key prefix of this
 * run's own), and what only Redis can show: every key carries an expiry at every moment, a turn is exactly two keys,
 * a Redis that hangs or is gone fails the call within the timeout, and the signals come back after a cut, and after
 * their connection froze without closing.
 */
class RedisTurnJournalsTest extends TurnJournalsContract {

    static final String PREFIX = "parley:test:" + UUID.randomUUID() + ":";
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private static LocalRedis redis;
    private final List<RedisTurnJournals> stores = new ArrayList<>();
    private final List<LocalRedis> switched = new ArrayList<>();

    @BeforeAll
    static void connect() {
        redis = new LocalRedis(6379);
    }

    @AfterAll
    static void disconnect() {
        redis.close();
    }

    @AfterEach
    void closeStores() {
        TcpSwitch.to(6379).up();
        stores.forEach(RedisTurnJournals::close);
        switched.forEach(LocalRedis::close);
    }

    @Override
    TurnJournals journals(Duration retention) {
        return store(redis, PREFIX, retention);
    }

    @Override
    TurnJournals peer(TurnJournals journals, Duration retention) {
        LocalRedis second = new LocalRedis(6379);
        switched.add(second);
        return store(second, PREFIX, retention);
    }

    private RedisTurnJournals store(LocalRedis on, String prefix, Duration retention) {
        RedisTurnJournals store = new RedisTurnJournals(on.dataSource, prefix, retention, TIMEOUT, Clock.systemUTC());
        stores.add(store);
        return store;
    }

    private static String meta(String prefix, String turnId) {
        return prefix + "{" + turnId + "}:meta";
    }

    private static String events(String prefix, String turnId) {
        return prefix + "{" + turnId + "}:events";
    }

    @Test
    void everyKeyOfATurnExpiresFromTheMomentItIsWritten() {
        TurnJournals journals = journals(LONG);
        String turnId = turnId();
        Instant endsBy = inAMinute();
        done(journals.open(turnId, "alice", endsBy));
        assertThat(redis.keys(PREFIX + "{" + turnId + "}")).containsExactly(meta(PREFIX, turnId));
        long running = Duration.between(Instant.now(), endsBy.plus(LONG)).toMillis();
        assertThat(redis.pttl(meta(PREFIX, turnId))).isBetween(running - 5_000, running + 1_000);

        done(journals.append(turnId, batch(1, 2, false)));
        assertThat(redis.keys(PREFIX + "{" + turnId + "}")).containsExactlyInAnyOrder(meta(PREFIX, turnId),
                events(PREFIX, turnId));
        assertThat(redis.pttl(meta(PREFIX, turnId))).isBetween(running - 5_000, running + 1_000);
        assertThat(redis.pttl(events(PREFIX, turnId))).isBetween(running - 5_000, running + 1_000);

        done(journals.append(turnId, batch(3, 3, true)));
        assertThat(redis.pttl(meta(PREFIX, turnId))).isBetween(1L, LONG.toMillis());
        assertThat(redis.pttl(events(PREFIX, turnId))).isBetween(1L, LONG.toMillis());
    }

    @Test
    void aBatchAppendedAgainAfterATimeoutIsKeptOnce() {
        TurnJournals journals = journals(LONG);
        String turnId = turnId();
        done(journals.open(turnId, "alice", inAMinute()));
        done(journals.append(turnId, batch(1, 2, false)));
        done(journals.append(turnId, batch(1, 2, false)));
        done(journals.append(turnId, batch(3, 3, true)));

        assertThat(done(journals.after(turnId, 0))).containsExactly(batch(1, 2, false), batch(3, 3, true));
    }

    @Test
    void aHundredConcurrentTurnsAreTwoExpiringKeysEachAndNoneIsLeftAfterTheRetention() {
        String prefix = PREFIX + "bound:";
        TurnJournals journals = store(redis, prefix, SHORT);
        List<String> turns = IntStream.range(0, 100).mapToObj(i -> turnId()).toList();

        done(Uni.join().all(turns.stream().map(turnId -> journals.open(turnId, "alice", inAMinute())
                .chain(() -> journals.append(turnId, batch(1, 3, false)))).toList()).andFailFast());
        List<String> keys = redis.keys(prefix + "{");
        assertThat(keys).hasSize(2 * turns.size());
        assertThat(keys).allSatisfy(key -> assertThat(redis.pttl(key)).isPositive());
        // And one key for the replica: its lease, which expires too.
        assertThat(redis.keys(prefix + "replica:")).singleElement()
                .satisfies(lease -> assertThat(redis.pttl(lease)).isBetween(1L, RedisTurnJournals.LEASE.toMillis()));

        done(Uni.join().all(turns.stream().map(turnId -> journals.append(turnId, batch(4, 4, true))).toList())
                .andFailFast());
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.keys(prefix + "{").isEmpty());
    }

    @Test
    void aTurnWhoseReplicaGaveUpItsLeaseBeforeItEndedIsLostAtOnceAndAnEndedOneIsNot() {
        RedisTurnJournals runner = store(redis, PREFIX, LONG);
        TurnJournals reader = peer(runner, LONG);
        String running = turnId();
        String ended = turnId();
        done(runner.open(running, "alice", inAMinute()));
        done(runner.append(running, batch(1, 2, false)));
        done(runner.open(ended, "alice", inAMinute()));
        done(runner.append(ended, batch(1, 2, true)));
        assertThat(done(reader.state(running)).orElseThrow().lost(Instant.now())).isFalse();

        runner.close(); // as at shutdown; a killed replica's lease lapses instead, after LEASE

        await().atMost(Duration.ofSeconds(5)).until(() -> done(reader.state(running)).orElseThrow()
                .lost(Instant.now()));
        JournalState lost = done(reader.state(running)).orElseThrow();
        assertThat(lost.replicaGone()).isTrue();
        assertThat(lost.lastId()).as("its events are still there to read").isEqualTo(2);
        assertThat(done(reader.after(running, 0))).containsExactly(batch(1, 2, false));
        assertThat(done(reader.state(ended)).orElseThrow().lost(Instant.now())).isFalse();
    }

    @Test
    void aRedisThatHangsFailsTheCallWithinTheTimeout() {
        TurnJournals journals = store(switchedRedis(), PREFIX, LONG);
        String turnId = turnId();
        done(journals.open(turnId, "alice", inAMinute()));
        TcpSwitch.to(6379).freeze();

        long start = System.nanoTime();
        assertThatThrownBy(() -> done(journals.state(turnId))).isInstanceOf(TurnJournalsUnavailableException.class)
                .hasMessageContaining("no answer within 500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(TIMEOUT.plusSeconds(2));
    }

    @Test
    void aRedisThatIsGoneFailsTheCall() {
        TurnJournals journals = store(switchedRedis(), PREFIX, LONG);
        TcpSwitch.to(6379).down();

        assertThatThrownBy(() -> done(journals.append(turnId(), batch(1, 1, false))))
                .isInstanceOf(TurnJournalsUnavailableException.class);
    }

    @Test
    void signalsAreHeardAgainAfterTheConnectionToRedisWasCut() {
        TurnJournals writer = journals(LONG);
        TurnJournals listener = store(switchedRedis(), PREFIX, LONG);
        Set<String> stopAsked = ConcurrentHashMap.newKeySet();
        listener.listen(new TurnJournals.Signals() {
            @Override
            public void appended(String turnId) {
            }

            @Override
            public void stopAsked(String turnId) {
                stopAsked.add(turnId);
            }
        });
        String before = turnId();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            done(writer.askStop(before));
            return stopAsked.contains(before);
        });

        TcpSwitch.to(6379).down();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            try {
                done(listener.state(before));
                return false;
            } catch (TurnJournalsUnavailableException cut) {
                return true;
            }
        });
        TcpSwitch.to(6379).up();

        String after = turnId();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            done(writer.askStop(after));
            return stopAsked.contains(after);
        });
    }

    @Test
    void aStopAskedAfterTheSignalsConnectionFrozeIsHeardAndOneAskedWhileItWasDeafIsKeptForIt() {
        TurnJournals writer = journals(LONG);
        TurnJournals listener = store(switchedRedis(), PREFIX, LONG);
        Set<String> stopAsked = ConcurrentHashMap.newKeySet();
        AtomicInteger missed = new AtomicInteger();
        listener.listen(new TurnJournals.Signals() {
            @Override
            public void appended(String turnId) {
            }

            @Override
            public void stopAsked(String turnId) {
                stopAsked.add(turnId);
            }

            @Override
            public void mayHaveMissed() {
                missed.incrementAndGet();
            }
        });
        String before = turnId();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            done(writer.askStop(before));
            return stopAsked.contains(before);
        });

        // The subscription's connection hangs for good, without failing: only the probe can tell it is deaf.
        TcpSwitch.to(6379).freezeOpenConnections();

        // Asked while the subscription is deaf, a stop is not heard (pub/sub keeps nothing for a subscriber), but the
        // turn's meta keeps it.
        String lost = turnId();
        done(writer.open(lost, "alice", inAMinute()));
        done(writer.askStop(lost));

        String after = turnId();
        await().atMost(RedisTurnJournals.PROBE_EVERY.multipliedBy(2).plus(TIMEOUT).plusSeconds(5))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    done(writer.askStop(after));
                    return stopAsked.contains(after);
                });
        assertThat(stopAsked).as("the frozen subscription heard nothing").doesNotContain(lost);
        // Hearing its probe again, the replica is told it may have missed signals, and the store has the stop.
        await().atMost(RedisTurnJournals.PROBE_EVERY.plus(TIMEOUT).plusSeconds(5)).until(() -> missed.get() >= 1);
        TcpSwitch.to(6379).up();
        assertThat(done(listener.stopWasAsked(lost))).isTrue();
        assertThat(done(listener.stopWasAsked(after))).as("a turn with no journal keeps no stop").isFalse();
    }

    @Test
    void stopsAndAnswersAreKeptForAReplicaThatMissedTheirSignals() {
        TurnJournals journals = journals(LONG);
        String turnId = turnId();
        done(journals.open(turnId, "alice", inAMinute()));
        assertThat(done(journals.stopWasAsked(turnId))).isFalse();
        done(journals.askStop(turnId));
        assertThat(done(journals.stopWasAsked(turnId))).isTrue();

        done(journals.awaitApprovals(turnId, "alice", List.of("toolu_1", "toolu_2", "toolu_3"),
                Duration.ofMinutes(1)));
        assertThat(done(journals.answerApproval(turnId, "alice", "toolu_1", true)))
                .isEqualTo(TurnJournals.ApprovalAnswer.DELIVERED);
        assertThat(done(journals.answerApproval(turnId, "alice", "toolu_2", false)))
                .isEqualTo(TurnJournals.ApprovalAnswer.DELIVERED);
        assertThat(done(journals.answerApproval(turnId, "alice", "toolu_2", true)))
                .isEqualTo(TurnJournals.ApprovalAnswer.ALREADY_ANSWERED);

        assertThat(done(journals.approvalsGiven(turnId, List.of("toolu_1", "toolu_2", "toolu_3"))))
                .containsExactlyInAnyOrderEntriesOf(Map.of("toolu_1", true, "toolu_2", false));
        done(journals.closeApprovals(turnId, List.of("toolu_3")));
        assertThat(done(journals.approvalsGiven(turnId, List.of("toolu_3")))).isEmpty();
    }

    private LocalRedis switchedRedis() {
        LocalRedis through = new LocalRedis(TcpSwitch.to(6379).port());
        switched.add(through);
        return through;
    }
}
