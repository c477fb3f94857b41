package dev.parley.resume;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Response;

/**
 * The journals of every replica, in Redis: any replica answers a resume, and a stop reaches the replica that runs the
 * turn. Per turn two keys under {@code parley.streams.redis-key-prefix}: a hash {@code {turnId}:meta} (caller, endsBy,
 * ended, overflowed, seenAt, lastId, keepUntil, owner, stopAsked) and a stream {@code {turnId}:events}, one entry per batch with the id
 * {@code 0-<lastId>}, so {@code XRANGE} from {@code 0-<n+1>} answers the batches holding the events after {@code n}.
 * The turn id is a hash tag: both keys of a script sit in one slot of a Redis Cluster.
 * <p>
 * Every change is one Lua script, which Redis runs atomically, and each one sets the keys' expiry as it writes them
 * (the turn's deadline plus the retention while it runs, the retention from now after its last batch): no crash of a
 * replica between two commands can leave a key that never expires. Replicas hear each other on one pub/sub channel,
 * {@code <prefix>signals}: {@code a:<turnId>} (appended, ended or overflowed), {@code s:<turnId>} (stop asked) and
 * {@code v:<turnId>:<callId>:<a|d>} (a tool call approved or denied; the calls a turn waits for are in the hash
 * {@code {turnId}:approvals}, with the caller, expiring with the wait).
 * <p>
 * A replica that dies (killed, out of memory) cannot write its turns' ends. So each replica holds a lease, the key
 * {@code <prefix>replica:<its id>}, set for {@link #LEASE} and renewed with every probe (and with every turn it opens),
 * deleted when it stops; a turn's meta names the replica that runs it ({@code owner}). A turn not ended whose owner's
 * lease is gone is lost: a resume following it on another replica ends within the lease, not at the turn's deadline.
 * <p>
 * A subscription can sit on a connection that froze without closing (a NAT or a proxy that dropped it silently): it
 * never fails, and nothing published reaches it. Readers of a turn poll its journal, and the running replica only
 * hears stops and approvals. So every {@link #PROBE_EVERY} each replica publishes {@code p:<its own id>} on the
 * channel and, when it has not heard it back within {@code parley.streams.redis-timeout}, drops its subscription and
 * subscribes again; once it hears its probe after that (or after a subscription that failed), it asks for the stops
 * ({@code stopAsked} in the meta) and answers ({@code y}/{@code n} in the approvals) that it may have missed.
 * <p>
 * Every call is bounded by {@code parley.streams.redis-timeout}; any failure (refused, cut, an error reply, no answer
 * in time) becomes a {@link TurnJournalsUnavailableException}, delivered on the caller's Vert.x context.
 */
final class RedisTurnJournals implements TurnJournals {

    /** KEYS: meta, events; ARGV: caller, endsBy, seenAt, keepUntil (epoch ms), owner. A reused id starts afresh. */
    private static final String OPEN = """
            redis.call('DEL', KEYS[1], KEYS[2])
            redis.call('HSET', KEYS[1], 'caller', ARGV[1], 'endsBy', ARGV[2], 'seenAt', ARGV[3],
              'keepUntil', ARGV[4], 'lastId', '0', 'ended', '0', 'overflowed', '0', 'owner', ARGV[5])
            redis.call('PEXPIREAT', KEYS[1], ARGV[4])
            return 1
            """;

    /**
     * KEYS: meta, events; ARGV: firstId, lastId, frames, last (1/0), retention ms, channel, signal. A batch at or
     * before the last one kept (a call repeated after a timeout) is not kept twice. Returns 1, or 0 for no journal.
     */
    private static final String APPEND = """
            local state = redis.call('HMGET', KEYS[1], 'lastId', 'overflowed', 'ended', 'keepUntil')
            if not state[1] then
              return 0
            end
            if state[2] ~= '1' and tonumber(ARGV[2]) > tonumber(state[1]) then
              redis.call('XADD', KEYS[2], '0-' .. ARGV[2], 'firstId', ARGV[1], 'frames', ARGV[3], 'last', ARGV[4])
              redis.call('HSET', KEYS[1], 'lastId', ARGV[2])
            end
            if ARGV[4] == '1' or state[3] == '1' then
              redis.call('HSET', KEYS[1], 'ended', '1')
              redis.call('PEXPIRE', KEYS[1], ARGV[5])
              redis.call('PEXPIRE', KEYS[2], ARGV[5])
            else
              redis.call('PEXPIREAT', KEYS[1], state[4])
              redis.call('PEXPIREAT', KEYS[2], state[4])
            end
            redis.call('PUBLISH', ARGV[6], ARGV[7])
            return 1
            """;

    /** KEYS: meta, events; ARGV: channel, signal. The meta keeps its expiry; the events are gone. */
    private static final String OVERFLOW = """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              return 0
            end
            redis.call('HSET', KEYS[1], 'overflowed', '1', 'lastId', '0')
            redis.call('DEL', KEYS[2])
            redis.call('PUBLISH', ARGV[1], ARGV[2])
            return 1
            """;

    /**
     * KEYS: meta; ARGV: channel, signal. The request is kept in the meta (which keeps its expiry) as well as published,
     * for a replica that missed the signal.
     */
    private static final String ASK_STOP = """
            if redis.call('EXISTS', KEYS[1]) == 1 then
              redis.call('HSET', KEYS[1], 'stopAsked', '1')
            end
            redis.call('PUBLISH', ARGV[1], ARGV[2])
            return 1
            """;

    /** KEYS: meta; ARGV: seenAt. An HSET alone would create an expired (or unknown) journal again, without expiry. */
    private static final String SEEN = """
            if redis.call('EXISTS', KEYS[1]) == 0 then
              return 0
            end
            redis.call('HSET', KEYS[1], 'seenAt', ARGV[1])
            return 1
            """;

    /**
     * KEYS: events; ARGV: the first entry id. Returns the entries flat, four items each (entry id, firstId, frames,
     * last), whatever protocol version the connection speaks.
     */
    private static final String AFTER = """
            local out = {}
            for _, entry in ipairs(redis.call('XRANGE', KEYS[1], ARGV[1], '+')) do
              local fields = {}
              for i = 1, #entry[2], 2 do
                fields[entry[2][i]] = entry[2][i + 1]
              end
              table.insert(out, entry[1])
              table.insert(out, fields['firstId'])
              table.insert(out, fields['frames'])
              table.insert(out, fields['last'])
            end
            return out
            """;

    /**
     * KEYS: approvals; ARGV: caller, keep ms, call ids. The hash holds {@code caller} and one field per call:
     * {@code c:<callId>} = {@code w} (awaited), {@code y} or {@code n} (approved or denied; {@code a}, answered, from
     * an earlier version) or {@code x} (closed). Another caller's record
     * under the same turn id is replaced (a turn id is unique; this only guards against a reused one).
     */
    private static final String AWAIT_APPROVALS = """
            if redis.call('HGET', KEYS[1], 'caller') ~= ARGV[1] then
              redis.call('DEL', KEYS[1])
              redis.call('HSET', KEYS[1], 'caller', ARGV[1])
            end
            for i = 3, #ARGV do
              redis.call('HSET', KEYS[1], 'c:' .. ARGV[i], 'w')
            end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            return 1
            """;

    /**
     * KEYS: approvals; ARGV: caller, call id, channel, signal, decision ({@code y} or {@code n}). Returns 1 (delivered:
     * kept and published), 2 (answered before) or 0 (no such awaited call of this caller's).
     */
    private static final String ANSWER_APPROVAL = """
            if redis.call('HGET', KEYS[1], 'caller') ~= ARGV[1] then
              return 0
            end
            local state = redis.call('HGET', KEYS[1], 'c:' .. ARGV[2])
            if state == 'w' then
              redis.call('HSET', KEYS[1], 'c:' .. ARGV[2], ARGV[5])
              redis.call('PUBLISH', ARGV[3], ARGV[4])
              return 1
            elseif state == 'y' or state == 'n' or state == 'a' then
              return 2
            end
            return 0
            """;

    /** KEYS: approvals; ARGV: call ids. Awaited calls become closed; answered ones stay answered. */
    private static final String CLOSE_APPROVALS = """
            for i = 1, #ARGV do
              if redis.call('HGET', KEYS[1], 'c:' .. ARGV[i]) == 'w' then
                redis.call('HSET', KEYS[1], 'c:' .. ARGV[i], 'x')
              end
            end
            return 1
            """;

    private static final String[] STATE_FIELDS = {"caller", "lastId", "ended", "overflowed", "seenAt", "endsBy",
            "owner"};
    private static final String APPENDED = "a:";
    private static final String STOP_ASKED = "s:";
    private static final String PROBE = "p:";
    /** {@code v:<turnId>:<callId>:<a|d>}: the caller approved (a) or denied (d) a tool call of the turn. */
    private static final String APPROVAL_GIVEN = "v:";
    /** How often a replica checks that its subscription still hears the channel. */
    static final Duration PROBE_EVERY = Duration.ofSeconds(5);
    /** How long a replica's lease lasts unless renewed: three probes, so one late tick does not lose its turns. */
    static final Duration LEASE = PROBE_EVERY.multipliedBy(3);
    /** A lost subscription is made again after this, doubling up to {@link #RESUBSCRIBE_MAX}. */
    private static final Duration RESUBSCRIBE_MIN = Duration.ofMillis(100);
    private static final Duration RESUBSCRIBE_MAX = Duration.ofSeconds(5);

    private final ReactiveRedisDataSource redis;
    private final String prefix;
    private final String channel;
    private final Duration retention;
    private final Duration timeout;
    private final Clock clock;
    /** This replica's id: its turns' owner, and in its probe and lease. */
    private final String replica = UUID.randomUUID().toString();
    /** What this replica publishes to hear itself: unique to the replica, so it never hears another's probe. */
    private final String probe = PROBE + replica;
    /** Guarded by {@code this}, as the fields below: where signals go, once {@link #listen} was called. */
    private Signals signals;
    /** The subscription to the signals' channel, once {@link #listen} made it. */
    private Cancellable subscription;
    /** The probes' ticks, while listening. */
    private Cancellable probes;
    /** When this replica last heard its own probe ({@link System#nanoTime()}). */
    private long probeHeardAt;
    /** Whether the last subscription made again for an unheard probe was logged and not yet heard from since. */
    private boolean probeLost;
    /** Whether signals may have been lost since the probe was last heard (a subscription failed, or was deaf). */
    private boolean mayHaveMissed;

    RedisTurnJournals(ReactiveRedisDataSource redis, StreamsConfig config) {
        this(redis, config.redisKeyPrefix(), config.retention(), config.redisTimeout(), Clock.systemUTC());
    }

    RedisTurnJournals(ReactiveRedisDataSource redis, String prefix, Duration retention, Duration timeout,
            Clock clock) {
        this.redis = redis;
        this.prefix = prefix;
        this.channel = prefix + "signals";
        this.retention = retention;
        this.timeout = timeout;
        this.clock = clock;
    }

    @Override
    public Uni<Void> open(String turnId, String caller, Instant endsBy) {
        long now = clock.millis();
        // The lease is renewed alongside, not in the script: its key lives in another slot of a Redis Cluster.
        return Uni.combine().all().unis(renewLease(), eval(OPEN, List.of(meta(turnId), events(turnId)), caller,
                Long.toString(endsBy.toEpochMilli()), Long.toString(now),
                Long.toString(endsBy.plus(retention).toEpochMilli()), replica)).discardItems();
    }

    @Override
    public Uni<Void> append(String turnId, JournalBatch batch) {
        return eval(APPEND, List.of(meta(turnId), events(turnId)), Long.toString(batch.firstId()),
                Long.toString(batch.lastId()), batch.frames(), batch.last() ? "1" : "0",
                Long.toString(retention.toMillis()), channel, APPENDED + turnId).replaceWithVoid();
    }

    @Override
    public Uni<Void> overflow(String turnId) {
        return eval(OVERFLOW, List.of(meta(turnId), events(turnId)), channel, APPENDED + turnId).replaceWithVoid();
    }

    @Override
    public Uni<Optional<JournalState>> state(String turnId) {
        String[] arguments = new String[STATE_FIELDS.length + 1];
        arguments[0] = meta(turnId);
        System.arraycopy(STATE_FIELDS, 0, arguments, 1, STATE_FIELDS.length);
        return call("HMGET", arguments).flatMap(reply -> {
            if (reply.get(0) == null) {
                return Uni.createFrom().item(Optional.<JournalState>empty());
            }
            // A journal written before owners were recorded has none: taken as alive, it is lost at its deadline.
            if ("1".equals(reply.get(2).toString()) || reply.get(6) == null) {
                return Uni.createFrom().item(Optional.of(state(reply, false)));
            }
            return call("EXISTS", lease(reply.get(6).toString()))
                    .map(exists -> Optional.of(state(reply, exists.toInteger() == 0)));
        });
    }

    @Override
    public Uni<List<JournalBatch>> after(String turnId, long afterId) {
        if (afterId == Long.MAX_VALUE) {
            return Uni.createFrom().item(List.of());
        }
        String from = "0-" + (Math.max(afterId, -1) + 1);
        return eval(AFTER, List.of(events(turnId)), from).map(RedisTurnJournals::batches);
    }

    @Override
    public Uni<Void> seen(String turnId) {
        return eval(SEEN, List.of(meta(turnId)), Long.toString(clock.millis())).replaceWithVoid();
    }

    @Override
    public Uni<Void> askStop(String turnId) {
        return eval(ASK_STOP, List.of(meta(turnId)), channel, STOP_ASKED + turnId).replaceWithVoid();
    }

    @Override
    public Uni<Boolean> stopWasAsked(String turnId) {
        return call("HGET", meta(turnId), "stopAsked").map(reply -> reply != null && "1".equals(reply.toString()));
    }

    @Override
    public Uni<Void> awaitApprovals(String turnId, String caller, List<String> callIds, Duration keepFor) {
        String[] values = new String[2 + callIds.size()];
        values[0] = caller;
        values[1] = Long.toString(Math.max(1, keepFor.toMillis()));
        for (int i = 0; i < callIds.size(); i++) {
            values[2 + i] = callIds.get(i);
        }
        return eval(AWAIT_APPROVALS, List.of(approvals(turnId)), values).replaceWithVoid();
    }

    @Override
    public Uni<ApprovalAnswer> answerApproval(String turnId, String caller, String callId, boolean approved) {
        String signal = APPROVAL_GIVEN + turnId + ":" + callId + ":" + (approved ? "a" : "d");
        return eval(ANSWER_APPROVAL, List.of(approvals(turnId)), caller, callId, channel, signal, approved ? "y" : "n")
                .map(reply -> switch (reply.toInteger()) {
                    case 1 -> ApprovalAnswer.DELIVERED;
                    case 2 -> ApprovalAnswer.ALREADY_ANSWERED;
                    default -> ApprovalAnswer.NOT_FOUND;
                });
    }

    @Override
    public Uni<Map<String, Boolean>> approvalsGiven(String turnId, List<String> callIds) {
        if (callIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        String[] arguments = new String[1 + callIds.size()];
        arguments[0] = approvals(turnId);
        for (int i = 0; i < callIds.size(); i++) {
            arguments[1 + i] = "c:" + callIds.get(i);
        }
        return call("HMGET", arguments).map(reply -> {
            Map<String, Boolean> given = new HashMap<>();
            for (int i = 0; i < callIds.size(); i++) {
                String state = reply.get(i) == null ? null : reply.get(i).toString();
                if ("y".equals(state) || "n".equals(state)) {
                    given.put(callIds.get(i), "y".equals(state));
                }
            }
            return given;
        });
    }

    @Override
    public Uni<Void> closeApprovals(String turnId, List<String> callIds) {
        if (callIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return eval(CLOSE_APPROVALS, List.of(approvals(turnId)), callIds.toArray(String[]::new)).replaceWithVoid();
    }

    /**
     * Subscribes to the signals' channel on a connection of its own, and probes it. A subscription that ends or fails
     * (Redis restarted, the connection cut) is made again, with a growing pause, and so is one that no longer hears
     * this replica's probe; what was published meanwhile is not heard, which delays readers (they also poll the
     * journal). Stops and answers to approvals are also kept in the turn's keys, so once its own probe is heard again
     * the replica is told it {@linkplain Signals#mayHaveMissed may have missed} some, and asks for them.
     */
    @Override
    public synchronized void listen(Signals signals) {
        stopListening();
        this.signals = signals;
        probeHeardAt = System.nanoTime();
        subscribe();
        // Ticks on Mutiny's worker pool: a probe only publishes, and checks the time a message was heard.
        probes = Multi.createFrom().ticks().startingAfter(PROBE_EVERY).every(PROBE_EVERY)
                .onOverflow().drop()
                .subscribe().with(tick -> probe());
    }

    /**
     * Stops listening, so no subscription is made again to a closed client, and gives up the lease (at shutdown, and
     * for tests): a turn of this replica's that has not ended by now never will.
     */
    @Override
    public synchronized void close() {
        stopListening();
        call("DEL", lease(replica)).subscribe().with(ignored -> {
        }, failure -> Log.debugf("The lease of this replica was not given up (%s); it lapses after %d s", failure,
                LEASE.toSeconds()));
    }

    private synchronized void stopListening() {
        if (probes != null) {
            probes.cancel();
            probes = null;
        }
        if (subscription != null) {
            subscription.cancel();
            subscription = null;
        }
    }

    private synchronized void subscribe() {
        if (subscription != null) {
            subscription.cancel();
        }
        Signals to = signals;
        subscription = redis.pubsub(String.class).subscribe(channel)
                .onCompletion().failWith(() -> new TurnJournalsUnavailableException("Redis ended the subscription",
                        null))
                .onFailure().invoke(failure -> {
                    missed();
                    Log.warnf("Signals of resumable turns not heard (%s); subscribing again", failure.toString());
                })
                .onFailure().retry().withBackOff(RESUBSCRIBE_MIN, RESUBSCRIBE_MAX).indefinitely()
                .subscribe().with(message -> dispatch(to, message));
    }

    /** Renews the lease, publishes the probe, and subscribes again unless it is heard back within the timeout. */
    private void probe() {
        renewLease().subscribe().with(ignored -> {
        }, failure -> Log.debugf("The lease of this replica was not renewed (%s)", failure));
        long sentAt = System.nanoTime();
        // A probe that could not be published is not heard either: the check below decides alike.
        call("PUBLISH", channel, probe).subscribe().with(ignored -> {
        }, ignored -> {
        });
        Uni.createFrom().voidItem().onItem().delayIt().by(timeout).subscribe().with(ignored -> {
            synchronized (this) {
                if (probes == null || probeHeardAt - sentAt >= 0) {
                    return;
                }
                mayHaveMissed = true;
                if (!probeLost) {
                    probeLost = true;
                    Log.infof("Signals of resumable turns: this replica did not hear its own probe within %d ms; "
                            + "subscribing again", timeout.toMillis());
                }
                subscribe();
            }
        });
    }

    /**
     * The probe came back: the subscription hears. If signals may have been lost before, the replica is told once
     * (outside the lock), now that what is published from here on is heard.
     */
    private void probeHeard() {
        Signals missedBy;
        synchronized (this) {
            probeHeardAt = System.nanoTime();
            probeLost = false;
            missedBy = mayHaveMissed ? signals : null;
            mayHaveMissed = false;
        }
        if (missedBy != null) {
            missedBy.mayHaveMissed();
        }
    }

    private synchronized void missed() {
        mayHaveMissed = true;
    }

    /** Runs on the subscription's Vert.x context; a listener that throws must not end the subscription. */
    private void dispatch(Signals signals, String message) {
        try {
            if (message.equals(probe)) {
                probeHeard();
            } else if (message.startsWith(APPENDED)) {
                signals.appended(message.substring(APPENDED.length()));
            } else if (message.startsWith(STOP_ASKED)) {
                signals.stopAsked(message.substring(STOP_ASKED.length()));
            } else if (message.startsWith(APPROVAL_GIVEN)) {
                // The ids hold no colon: a turn id is a UUID, a call id the upstream's toolu_… id.
                String[] parts = message.substring(APPROVAL_GIVEN.length()).split(":");
                if (parts.length == 3) {
                    signals.approvalGiven(parts[0], parts[1], "a".equals(parts[2]));
                }
            }
        } catch (RuntimeException failure) {
            Log.errorf(failure, "A signal of a resumable turn failed: %s", message);
        }
    }

    /** Holds this replica's lease for {@link #LEASE} from now. */
    private Uni<Response> renewLease() {
        return call("SET", lease(replica), "1", "PX", Long.toString(LEASE.toMillis()));
    }

    private String lease(String replica) {
        return prefix + "replica:" + replica;
    }

    private String meta(String turnId) {
        return prefix + "{" + turnId + "}:meta";
    }

    private String approvals(String turnId) {
        return prefix + "{" + turnId + "}:approvals";
    }

    private String events(String turnId) {
        return prefix + "{" + turnId + "}:events";
    }

    private static JournalState state(Response reply, boolean replicaGone) {
        return new JournalState(reply.get(0).toString(), reply.get(1).toLong(), "1".equals(reply.get(2).toString()),
                "1".equals(reply.get(3).toString()), Instant.ofEpochMilli(reply.get(4).toLong()),
                Instant.ofEpochMilli(reply.get(5).toLong()), replicaGone);
    }

    private static List<JournalBatch> batches(Response reply) {
        List<JournalBatch> batches = new ArrayList<>(reply.size() / 4);
        for (int i = 0; i + 3 < reply.size(); i += 4) {
            String id = reply.get(i).toString();
            long lastId = Long.parseLong(id.substring(id.indexOf('-') + 1));
            batches.add(new JournalBatch(reply.get(i + 1).toLong(), lastId, reply.get(i + 2).toString(),
                    "1".equals(reply.get(i + 3).toString())));
        }
        return batches;
    }

    private Uni<Response> eval(String script, List<String> keys, String... values) {
        String[] arguments = new String[2 + keys.size() + values.length];
        arguments[0] = script;
        arguments[1] = Integer.toString(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            arguments[2 + i] = keys.get(i);
        }
        System.arraycopy(values, 0, arguments, 2 + keys.size(), values.length);
        // EVAL rather than EVALSHA: the scripts are short and Redis caches them, so no NOSCRIPT after a failover.
        return call("EVAL", arguments);
    }

    private Uni<Response> call(String command, String... arguments) {
        return Uni.createFrom().deferred(() -> {
            Context caller = Vertx.currentContext();
            return redis.execute(command, arguments)
                    .ifNoItem().after(timeout).failWith(() -> new TurnJournalsUnavailableException(
                            "Redis got no answer within " + timeout.toMillis() + " ms", null))
                    .onFailure(failure -> !(failure instanceof TurnJournalsUnavailableException))
                    .transform(failure -> new TurnJournalsUnavailableException("Redis failed: " + failure, failure))
                    .emitOn(work -> onContext(caller, work));
        });
    }

    private static void onContext(Context context, Runnable work) {
        if (context == null || Vertx.currentContext() == context) {
            work.run();
        } else {
            context.runOnContext(ignored -> work.run());
        }
    }
}
