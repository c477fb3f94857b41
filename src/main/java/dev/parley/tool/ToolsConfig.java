package dev.parley.tool;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of tool calls ({@code parley.tools.*}). */
@ConfigMapping(prefix = "parley.tools")
interface ToolsConfig {

    /** How long a tool call may run before it is cancelled and reported as timed out. */
    @WithDefault("10s")
    Duration defaultTimeout();

    /**
     * Timeouts of single tools, by tool name ({@code parley.tools.timeouts.get_stock_price=3s}), overriding
     * {@code default-timeout}. Default: none. A name that is not a tool fails the start-up.
     */
    Map<String, Duration> timeouts();

    /** The longest result text sent to the model; longer ones are cut and marked as truncated. */
    @WithDefault("20000")
    int maxResultChars();

    /** How many calls of one model turn run at once; the others wait for a free slot. */
    @WithDefault("8")
    int maxParallel();

    /**
     * The tools (by the name the model sees: {@code get_stock_price}, or an MCP tool's {@code <server>__<tool>}) whose
     * calls wait for the turn's caller to approve them. Default: none. A name that is not a tool at start-up is logged
     * once, not refused: an MCP server's tools come and go while parley runs.
     */
    Optional<Set<String>> needsApproval();

    /** How long a call that needs approval waits for the caller's answer (within the turn's deadline). */
    @WithDefault("5m")
    Duration approvalTimeout();
}
