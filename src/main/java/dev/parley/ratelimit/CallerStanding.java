package dev.parley.ratelimit;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Where a caller stands in each of its limits, as the IETF {@code RateLimit-Policy} and {@code RateLimit} header fields
 * (draft-ietf-httpapi-ratelimit-headers) tell it: one list member per limit, named by its kind's tag, e.g.
 * {@code RateLimit-Policy: "rpm";q=60;w=60, "tpm";q=40000;w=60} and {@code RateLimit: "rpm";r=59;t=30, "tpm";r=38210;t=30}.
 *
 * @param limits one entry per limit the caller has, in the order of {@link CallerLimitKind}
 */
public record CallerStanding(List<Limit> limits) {

    public static final String POLICY_HEADER = "RateLimit-Policy";
    public static final String STATE_HEADER = "RateLimit";

    /**
     * @param quota the most the window admits ({@code q})
     * @param remaining what is left of it now ({@code r}), never below 0
     * @param resetSeconds seconds until the window starts afresh ({@code t}), at least 1
     */
    public record Limit(CallerLimitKind kind, long quota, long remaining, long resetSeconds) {
    }

    /** The {@code RateLimit-Policy} field value: quota ({@code q}) and window in seconds ({@code w}) of each limit. */
    public String policy() {
        return limits.stream()
                .map(limit -> '"' + limit.kind().tag() + "\";q=" + limit.quota() + ";w="
                        + limit.kind().window().toSeconds())
                .collect(Collectors.joining(", "));
    }

    /** The {@code RateLimit} field value: what remains ({@code r}) and seconds until reset ({@code t}) of each. */
    public String state() {
        return limits.stream()
                .map(limit -> '"' + limit.kind().tag() + "\";r=" + limit.remaining() + ";t=" + limit.resetSeconds())
                .collect(Collectors.joining(", "));
    }
}
