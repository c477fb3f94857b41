package dev.parley.anthropic;

import java.util.Optional;

/**
 * The headers of a client's request that parley forwards to the upstream: {@code anthropic-version} (parley's own
 * {@code parley.anthropic.version} when the client sent none) and {@code anthropic-beta}. Nothing else of the
 * client's goes upstream; its key least of all, as parley calls with its own.
 */
public record ForwardedHeaders(Optional<String> version, Optional<String> beta) {

    public static final ForwardedHeaders NONE = new ForwardedHeaders(Optional.empty(), Optional.empty());
}
