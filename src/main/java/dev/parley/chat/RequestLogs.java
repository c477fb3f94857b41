package dev.parley.chat;

import java.util.function.Supplier;

import org.jboss.logging.MDC;

/**
 * The request id in the logging MDC ({@value #KEY}). The API puts it there when a request starts, and Quarkus keeps
 * it on the request's Vert.x duplicated context; but parts of a turn run elsewhere (a timer's thread at the end of a
 * shutdown's grace period, a cancellation, a retry's delay), so the lines a turn logs are written through
 * {@link #withRequestId}, which is right on any thread.
 */
public final class RequestLogs {

    /** {@code %X{requestId}} in the text format, {@code mdc.requestId} in JSON logs. */
    public static final String KEY = "requestId";

    private RequestLogs() {
    }

    /** Runs {@code work} with this request id in the MDC, then puts back what was there. */
    public static void withRequestId(String requestId, Runnable work) {
        callWithRequestId(requestId, () -> {
            work.run();
            return null;
        });
    }

    /** {@link #withRequestId}, for work with a result. */
    static <T> T callWithRequestId(String requestId, Supplier<T> work) {
        Object previous = MDC.get(KEY);
        MDC.put(KEY, requestId);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                MDC.remove(KEY);
            } else {
                MDC.put(KEY, previous);
            }
        }
    }
}
