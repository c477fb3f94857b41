package dev.parley.api;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * How callers of parley's API are identified ({@code parley.auth.*}). There is no default mode in production: running
 * without authentication must be an explicit choice ({@code PARLEY_AUTH_MODE=none}).
 */
@ConfigMapping(prefix = "parley.auth")
public interface AuthConfig {

    /** {@code none}, {@code api-key} or {@code gateway}. */
    Mode mode();

    /** API keys by caller name; only a key's SHA-256 is configured, never the key itself. */
    Map<String, CallerKey> keys();

    /** Gateway mode: the header the (trusted) gateway in front sets to the caller's name. */
    @WithDefault("X-Parley-Caller")
    String gatewayHeader();

    /**
     * Gateway mode: the callers (as the gateway names them) who may read every caller's usage and budget. Gateway mode
     * has its own list so that {@code parley.auth.keys.<name>.admin}, a key-mode setting, never makes whoever the
     * gateway calls {@code <name>} an admin.
     */
    Optional<Set<String>> gatewayAdmins();

    /** The ways a caller is identified. */
    enum Mode {
        /** Everyone is the caller {@code anonymous}. */
        NONE,
        /** {@code Authorization: Bearer <key>} or {@code x-api-key: <key>}, checked against configured hashes. */
        API_KEY,
        /** The gateway header names the caller; parley trusts it, so only the gateway may reach parley. */
        GATEWAY
    }

    /** One caller's key. */
    interface CallerKey {

        /** Hex SHA-256 of the key, e.g. from {@code printf %s "$KEY" | sha256sum}. */
        String sha256();

        /** Whether this caller may read every caller's usage and budget; in {@code api-key} mode only. */
        @WithDefault("false")
        boolean admin();
    }
}
