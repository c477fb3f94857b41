package dev.parley.tool;

import java.time.Duration;

/**
 * The answer to one {@link ToolCall}: the same id and name, and the text for the model. When {@code isError}, the
 * content says what went wrong in words safe to show (never a stack trace or an exception class) and is never empty.
 * {@code duration} is the time from the start of the call to its result.
 */
public record ToolResult(String id, String name, boolean isError, String content, Duration duration) {
}
