package dev.parley.anthropic;

import java.time.Duration;

/**
 * How long a streamed call may stay silent, and where: no event within {@code firstByte} of sending, no
 * {@code content_block_delta} within {@code firstContent} (pings do not count), or a gap between two events longer
 * than {@code idle} (pings count). See {@link AnthropicConfig} for their defaults.
 */
record StreamLimits(Duration firstByte, Duration firstContent, Duration idle) {

    static StreamLimits of(AnthropicConfig config) {
        return new StreamLimits(config.firstByteTimeout(), config.firstContentTimeout(), config.idleTimeout());
    }
}
