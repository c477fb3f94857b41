package dev.parley.anthropic;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A successful answer of the upstream to a passed-through request: its status, the headers worth passing on to the
 * client ({@link #passes(String) by name}, lower case), and its body exactly as the upstream sent it.
 */
public record UpstreamReply(int status, Map<String, String> headers, byte[] body) {

    public UpstreamReply {
        headers = Map.copyOf(headers);
    }

    /**
     * Whether a response header reaches the client: the upstream's request id (the SDKs expose it), the content type,
     * the retry advice and the rate-limit state. The rest (cookies, the upstream's infrastructure, the simulator's
     * mark) is the upstream's own business.
     */
    static boolean passes(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.equals("request-id") || lower.equals("content-type") || lower.equals("retry-after")
                || lower.equals("x-should-retry") || lower.startsWith("anthropic-ratelimit-");
    }

    /** The upstream's {@code request-id}, if it sent one. */
    public Optional<String> requestId() {
        return Optional.ofNullable(headers.get("request-id"));
    }
}
