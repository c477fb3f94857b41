package dev.parley.simulator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One injected failure, parsed from a spec such as {@code 429 retry-after=2 times=1} or {@code drop after=5}. The spec
 * grammar is the same in a {@code [[sim:fault=…]]} directive and in the admin fault queue.
 *
 * @param times how many consecutive attempts this fault applies to; {@link Integer#MAX_VALUE} for {@code always}
 */
record Fault(Kind kind, int status, ErrorType errorType, String message, Map<String, String> headers,
        int afterDeltas, Duration stall, int times) {

    /** What the fault does. */
    enum Kind {
        /** An HTTP error response instead of a reply. */
        HTTP,
        /** An {@code error} event inside the 200 stream after {@code afterDeltas} deltas, then the stream ends. */
        ERROR_EVENT,
        /** The connection is cut after {@code afterDeltas} deltas. */
        DROP,
        /** Silence before the response headers. */
        STALL_HEADERS,
        /** Silence (no pings either) after {@code afterDeltas} deltas. */
        STALL,
        /** Nothing: lets a schedule pass its first attempts, e.g. to fail only the second round of a tool loop. */
        NONE
    }

    static Fault parse(String spec) {
        String[] words = spec.trim().split("\\s+");
        if (words.length == 0 || words[0].isEmpty()) {
            throw new IllegalArgumentException("empty fault spec");
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("fault parameter '" + words[i] + "' is not key=value");
            }
            params.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        String kindWord = words[0];
        Kind kind;
        int status = 0;
        ErrorType errorType;
        if (kindWord.matches("\\d{3}")) {
            kind = Kind.HTTP;
            status = Integer.parseInt(kindWord);
            errorType = ErrorType.forStatus(status);
        } else {
            kind = switch (kindWord) {
                case "error-event" -> Kind.ERROR_EVENT;
                case "drop" -> Kind.DROP;
                case "stall-headers" -> Kind.STALL_HEADERS;
                case "stall" -> Kind.STALL;
                case "none" -> Kind.NONE;
                default -> throw new IllegalArgumentException("unknown fault kind '" + kindWord + "'");
            };
            errorType = ErrorType.OVERLOADED;
        }
        String typeName = params.remove("type");
        if (typeName != null) {
            errorType = ErrorType.forWireName(typeName)
                    .orElseThrow(() -> new IllegalArgumentException("unknown error type '" + typeName + "'"));
        }
        // A spec is split on spaces, so a message spells its spaces as underscores.
        String message = Optional.ofNullable(params.remove("message")).map(m -> m.replace('_', ' '))
                .orElse(errorType.defaultMessage());
        Map<String, String> headers = new LinkedHashMap<>();
        putIfPresent(headers, "retry-after", params.remove("retry-after"));
        putIfPresent(headers, "retry-after-ms", params.remove("retry-after-ms"));
        putIfPresent(headers, "x-should-retry", params.remove("should-retry"));
        int after = Integer.parseInt(Optional.ofNullable(params.remove("after")).orElse("0"));
        Duration stall = Optional.ofNullable(params.remove("ms")).map(Directives::parseDuration).orElse(Duration.ZERO);
        String timesWord = Optional.ofNullable(params.remove("times")).orElse("1");
        int times = timesWord.equals("always") ? Integer.MAX_VALUE : Integer.parseInt(timesWord);
        if (!params.isEmpty()) {
            throw new IllegalArgumentException("unknown fault parameter(s) " + params.keySet());
        }
        if (times < 1 || after < 0) {
            throw new IllegalArgumentException("times must be at least 1 and after at least 0");
        }
        return new Fault(kind, status, errorType, message, headers, after, stall, times);
    }

    private static void putIfPresent(Map<String, String> headers, String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
    }

    SimulatedApiError asHttpError() {
        return new SimulatedApiError(status, errorType.wireName(), message, headers);
    }
}
