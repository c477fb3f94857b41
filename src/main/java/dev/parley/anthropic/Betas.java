package dev.parley.anthropic;

import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code anthropic-beta} header of one request: the configured betas plus those the request's own fields need, so
 * that a profile option never works only when someone also remembered its header.
 */
final class Betas {

    /** Server-side fallback: {@code fallbacks} on the request, {@code usage.iterations} on the answer. */
    static final String SERVER_SIDE_FALLBACK = "server-side-fallback-2026-07-01";
    /** {@code thinking.display: updates}: the short notes between tool calls, the reasoning itself omitted. */
    static final String THINKING_DISPLAY_UPDATES = "thinking-display-updates-2026-08-18";

    private Betas() {
    }

    /** The header's value for this request, if it needs one. */
    static Optional<String> of(MessageRequest request, Optional<String> configured) {
        Set<String> betas = new LinkedHashSet<>();
        configured.ifPresent(value -> {
            for (String beta : value.split(",")) {
                if (!beta.isBlank()) {
                    betas.add(beta.strip());
                }
            }
        });
        if (request.fallbacks() != null) {
            betas.add(SERVER_SIDE_FALLBACK);
        }
        if (request.thinking() != null && ThinkingConfig.UPDATES.equals(request.thinking().display())) {
            betas.add(THINKING_DISPLAY_UPDATES);
        }
        return betas.isEmpty() ? Optional.empty() : Optional.of(String.join(",", betas));
    }
}
