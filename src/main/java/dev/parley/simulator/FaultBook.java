package dev.parley.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Decides which fault, if any, an attempt of {@code POST /v1/messages} meets. Faults queued through the admin endpoint
 * apply to the next attempts of any request, in order. Faults in a request's directives form a schedule over that
 * request's attempts: {@code [[sim:fault=429 times=1]] [[sim:fault=529 times=2]]} fails attempt 1 with a 429,
 * attempts 2 and 3 with a 529, and lets attempt 4 through. Attempts are counted per directive id, so tests that run
 * in parallel never consume each other's faults.
 */
@ApplicationScoped
public class FaultBook {

    private final List<QueuedFault> queue = new ArrayList<>();

    private static final class QueuedFault {
        final Fault fault;
        int remaining;

        QueuedFault(Fault fault) {
            this.fault = fault;
            this.remaining = fault.times();
        }
    }

    synchronized void enqueue(Fault fault) {
        queue.add(new QueuedFault(fault));
    }

    synchronized void clear() {
        queue.clear();
    }

    synchronized List<String> describeQueue() {
        return queue.stream().map(q -> q.fault.kind() + " status=" + q.fault.status() + " remaining=" + q.remaining)
                .toList();
    }

    /**
     * The fault for this attempt: the head of the global queue if any, else the directive schedule entry covering
     * the attempt number.
     *
     * @param attempt 1-based attempt number of this request (by directive id)
     */
    Optional<Fault> faultFor(Directives directives, long attempt) {
        Optional<Fault> queued = takeQueued();
        if (queued.isPresent()) {
            return queued;
        }
        long start = 1;
        for (Fault fault : directives.faults()) {
            long end = fault.times() == Integer.MAX_VALUE ? Long.MAX_VALUE : start + fault.times();
            if (attempt >= start && attempt < end) {
                return fault.kind() == Fault.Kind.NONE ? Optional.empty() : Optional.of(fault);
            }
            start = end;
        }
        return Optional.empty();
    }

    /** The next queued fault, if any, for a request outside the message schedules ({@code count_tokens}). */
    Optional<Fault> queuedFault() {
        return takeQueued();
    }

    private synchronized Optional<Fault> takeQueued() {
        if (queue.isEmpty()) {
            return Optional.empty();
        }
        QueuedFault head = queue.getFirst();
        if (--head.remaining <= 0) {
            queue.removeFirst();
        }
        return Optional.of(head.fault);
    }
}
