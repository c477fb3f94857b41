package dev.parley.chat;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Size limits on what a request may send ({@code parley.limits.*}); checked before the upstream is called. */
@ConfigMapping(prefix = "parley.limits")
public interface ChatLimitsConfig {

    /** Longest new user message, in characters. */
    @WithDefault("100000")
    int maxMessageChars();

    /** Most prior messages (sent by the client, or stored in the conversation) a turn may carry. */
    @WithDefault("200")
    int maxHistoryMessages();

    /** The longest a turn may take, retries and waits included; a request may ask for less. */
    @WithDefault("10m")
    Duration maxDeadline();

    /** Most upstream rounds in one turn (a round is one model call; tools make more). */
    @WithDefault("10")
    int maxRounds();

    /** Most tool calls in one turn. */
    @WithDefault("20")
    int maxToolCalls();

    /** Most a turn may cost (USD); once its rounds cost more, no further round starts. Unset: no cap. */
    Optional<BigDecimal> maxCostUsd();

    /** Most characters of prior text a turn may carry. */
    @WithDefault("400000")
    int maxHistoryChars();
}
