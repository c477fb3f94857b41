package dev.parley.mcp;

import java.util.Optional;

/**
 * What parley knows of one MCP server now.
 *
 * @param state {@code connecting} (before the first answer), {@code up} or {@code down}
 * @param tools how many of its tools are offered (the last list, kept while it is down)
 * @param reason why it is down, in a few words; empty otherwise
 * @param required whether readiness is DOWN while it is down
 */
public record McpServerStatus(State state, int tools, Optional<String> reason, boolean required) {

    /** A server's connection state. */
    public enum State {
        CONNECTING,
        UP,
        DOWN
    }

    /** How health details show it: {@code up (4 tools)}, {@code down: connection refused}, {@code connecting}. */
    public String describe() {
        return switch (state) {
            case UP -> "up (" + tools + (tools == 1 ? " tool)" : " tools)");
            case DOWN -> "down: " + reason.orElse("unknown");
            case CONNECTING -> "connecting";
        };
    }
}
