package dev.parley.usage;

import java.util.List;
import java.util.Optional;

/**
 * What identifies one round of a turn at the upstream, for reconciling parley's ledger with the upstream's own
 * console and usage reports: the upstream's {@code request-id} of the call that answered the round, the message id it
 * returned, and the model(s) that served it (more than one when the upstream's server-side fallback moved the request
 * to another model; in the order they served).
 */
public record UpstreamRound(Optional<String> requestId, Optional<String> messageId, List<String> servedBy) {

    public UpstreamRound {
        servedBy = List.copyOf(servedBy);
    }
}
