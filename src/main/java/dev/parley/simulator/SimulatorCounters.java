package dev.parley.simulator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What the simulator has seen, globally and per directive id: requests, streams started, completed and abandoned by
 * the client, {@code count_tokens} calls, and (per id) the requests themselves, so a test can assert exactly what parley sent upstream.
 */
@ApplicationScoped
public class SimulatorCounters {

    private static final int MAX_IDS = 10_000;

    private final Tally global = new Tally();
    private final Map<String, Tally> byId = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Tally> eldest) {
            return size() > MAX_IDS;
        }
    };
    private final int recordedPerId;

    SimulatorCounters(SimulatorConfig config) {
        this.recordedPerId = config.recordedRequestsPerId();
    }

    /** The counters of one scope. */
    static final class Tally {
        final AtomicLong requests = new AtomicLong();
        final AtomicLong streamsStarted = new AtomicLong();
        final AtomicLong streamsCompleted = new AtomicLong();
        final AtomicLong streamsAbandoned = new AtomicLong();
        final AtomicLong streamsFailed = new AtomicLong();
        final AtomicLong tokenCounts = new AtomicLong();
        private final Deque<JsonNode> recorded = new ArrayDeque<>();

        ObjectNode toJson() {
            ObjectNode node = SimJson.MAPPER.createObjectNode();
            node.put("requests", requests.get());
            node.put("streamsStarted", streamsStarted.get());
            node.put("streamsCompleted", streamsCompleted.get());
            node.put("streamsAbandoned", streamsAbandoned.get());
            node.put("streamsFailed", streamsFailed.get());
            node.put("tokenCounts", tokenCounts.get());
            return node;
        }
    }

    /** A view of one request's counters: the global tally plus the id's, when the request has one. */
    final class Scope {
        private final Tally id;

        private Scope(Tally id) {
            this.id = id;
        }

        long request() {
            global.requests.incrementAndGet();
            return id == null ? 1 : id.requests.incrementAndGet();
        }

        void streamStarted() {
            bump(t -> t.streamsStarted);
        }

        void streamCompleted() {
            bump(t -> t.streamsCompleted);
        }

        void streamAbandoned() {
            bump(t -> t.streamsAbandoned);
        }

        void streamFailed() {
            bump(t -> t.streamsFailed);
        }

        /** A {@code count_tokens} call: counted apart, so it moves no fault schedule over the message attempts. */
        void tokenCount() {
            bump(t -> t.tokenCounts);
        }

        void record(JsonNode request) {
            if (id == null) {
                return;
            }
            synchronized (id.recorded) {
                id.recorded.addLast(request);
                while (id.recorded.size() > recordedPerId) {
                    id.recorded.removeFirst();
                }
            }
        }

        private void bump(java.util.function.Function<Tally, AtomicLong> counter) {
            counter.apply(global).incrementAndGet();
            if (id != null) {
                counter.apply(id).incrementAndGet();
            }
        }
    }

    Scope scope(Directives directives) {
        return new Scope(directives.id().map(this::tally).orElse(null));
    }

    ObjectNode snapshot(String id) {
        if (id == null) {
            return global.toJson();
        }
        Tally tally;
        synchronized (byId) {
            tally = byId.get(id);
        }
        return tally == null ? new Tally().toJson() : tally.toJson();
    }

    List<JsonNode> recorded(String id) {
        Tally tally;
        synchronized (byId) {
            tally = byId.get(id);
        }
        if (tally == null) {
            return List.of();
        }
        synchronized (tally.recorded) {
            return List.copyOf(tally.recorded);
        }
    }

    private Tally tally(String id) {
        synchronized (byId) {
            return byId.computeIfAbsent(id, k -> new Tally());
        }
    }
}
