package dev.parley.simulator;

/** The {@code anthropic-beta} values whose features the simulator implements, not only accepts. */
final class Betas {

    /** {@code fallbacks}: a refused request is served by another model (§9). */
    static final String SERVER_SIDE_FALLBACK = "server-side-fallback-2026-07-01";
    /** {@code thinking.display: "updates"}: short progress notes between tool calls (§9). */
    static final String THINKING_DISPLAY_UPDATES = "thinking-display-updates-2026-08-18";

    private Betas() {
    }
}
