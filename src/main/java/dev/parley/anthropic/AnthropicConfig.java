package dev.parley.anthropic;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The upstream Anthropic API ({@code parley.anthropic.*}). Key and base URL default to the environment variables the
 * official SDKs read, {@code ANTHROPIC_API_KEY} and {@code ANTHROPIC_BASE_URL}.
 */
@ConfigMapping(prefix = "parley.anthropic")
public interface AnthropicConfig {

    /** The base URL meaning "this process's own simulator", used by the dev and test profiles. */
    String EMBEDDED = "embedded";

    /**
     * API key sent as {@code x-api-key}. No default: production without a key fails at start-up, unless the upstream
     * is {@code embedded}, which uses the simulator's own key instead and never sends this one.
     */
    Optional<String> apiKey();

    /**
     * More API keys, by name ({@code parley.anthropic.keys.<name>}, a name of lower-case letters, digits and dashes):
     * each has rate limits of its own, and each call goes with one that has room (README "Upstream keys and their rate
     * limits"). The names tag metrics; the keys are secrets, never logged. With {@link #apiKey()} set too, that one is
     * the key named {@code default}. Unused by an {@code embedded} upstream.
     */
    Map<String, String> keys();

    /**
     * {@code https://api.anthropic.com}, any compatible upstream, or {@code embedded}: this process's own simulator,
     * which that setting alone switches on (with its own key).
     */
    @WithDefault("https://api.anthropic.com")
    String baseUrl();

    /** Whether the upstream is this process's own simulator. */
    default boolean embedded() {
        return EMBEDDED.equals(baseUrl());
    }

    /**
     * Most calls waiting at once for an upstream key's rate limits to reset (README "Upstream keys and their rate
     * limits"); beyond it a call that would have to wait is refused at once with {@code upstream_capacity_exhausted}.
     */
    @WithDefault("100")
    int capacityQueueSize();

    /** The {@code anthropic-version} header. */
    @WithDefault("2023-06-01")
    String version();

    /** Comma-separated {@code anthropic-beta} header, if any. */
    Optional<String> beta();

    /** Time allowed to open a connection to the upstream. */
    @WithDefault("10s")
    Duration connectTimeout();

    /**
     * Most connections open to the upstream at once: for streams, per event loop (each loop pools its own, see
     * {@link StreamingCalls}); for one-shot calls, in all. A stream holds its connection (HTTP/1.1) until it ends, so
     * this must be at least {@code parley.upstream.concurrency.max-streams}: a stream beyond it waits for a free
     * connection with its first-byte timeout running. A finished stream's connection is kept for the next one. The
     * REST client's own default (50, and {@code quarkus.rest-client.connection-pool-size}) does not reach a client
     * built in code.
     */
    @WithDefault("4000")
    int connectionPoolSize();

    /**
     * The socket receive buffer of stream connections, in bytes; unset, the operating system sizes it (on Linux it
     * grows with a fast stream, to megabytes). A paused stream (a slow client) leaves its bytes there, so this bounds
     * what the kernel holds for it before the upstream itself is held back.
     */
    OptionalInt streamReceiveBufferBytes();

    /**
     * From sending a request until the response headers and the first event arrive. A stream that exceeds it fails
     * with {@link AnthropicException.Kind#TIMEOUT} and its connection is closed.
     */
    @WithDefault("60s")
    Duration firstByteTimeout();

    /**
     * From sending a request until the first {@code content_block_delta}: long, because the model may think for a
     * while first. Pings do not count. Also the overall bound of a non-streaming call, whose content arrives all at
     * once with the whole reply.
     */
    @WithDefault("120s")
    Duration firstContentTimeout();

    /**
     * Longest gap between two events once a stream has started. Pings count: the upstream sends them during long
     * silences precisely to show it is alive.
     */
    @WithDefault("45s")
    Duration idleTimeout();

    /**
     * The egress proxy to the upstream, for streamed and one-shot calls alike (README "Egress proxy and CA bundle").
     */
    ProxySettings proxy();

    /**
     * A file of PEM (or DER) CA certificates trusted for the upstream's TLS <em>in addition to</em> the JVM's own CAs:
     * a TLS-inspecting proxy's CA, or a private upstream's. Read once at start-up; a missing, unreadable or invalid
     * file fails the start-up. Unset: the JVM's CAs alone.
     */
    Optional<String> trustStore();

    /**
     * Where the upstream's connections go. Each key left unset falls back to the environment variable curl and the
     * official Python SDK read; a key that is set wins over its variable. The embedded simulator is never proxied.
     */
    interface ProxySettings {

        /**
         * {@code http://[user:password@]host[:port]} (port 80 by default), or {@code none} for no proxy whatever the
         * environment says. Unset: {@code https_proxy}/{@code HTTPS_PROXY} for an {@code https} upstream,
         * {@code http_proxy}/{@code HTTP_PROXY} for an {@code http} one. The credentials are a secret: never logged.
         */
        Optional<String> url();

        /**
         * Comma-separated hosts that bypass the proxy, as in {@code NO_PROXY}: {@code example.com} or
         * {@code .example.com} (the domain and its subdomains), {@code host:port}, an IP address or CIDR range, or
         * {@code *} (everything). Unset: {@code no_proxy}/{@code NO_PROXY}.
         */
        Optional<String> noProxy();
    }

    // There is deliberately no read-timeout. The REST client's read timeout is Vert.x's idle timeout on the
    // connection: it cannot tell a ping from content, names nothing, and would cut a non-streaming call that is
    // still generating. MessagesClient derives it from the limits above, as a backstop set just past them.
}
