package dev.parley.harness;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/**
 * The log lines parley writes while a {@code @QuarkusTest} runs (the application shares the test's JVM and its JBoss
 * LogManager), each with its level, formatted message, the request id of its MDC and the thread that wrote it. Install it for a test and close
 * it after.
 */
public final class LogCapture extends Handler implements AutoCloseable {

    /** One log line as an operator would read it. */
    public record Line(Level level, String logger, String message, String requestId, String thread) {
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final String logger;

    private LogCapture(String logger) {
        this.logger = logger;
    }

    /** Captures everything the {@code dev.parley} loggers write from now on. */
    public static LogCapture install() {
        return on("dev.parley");
    }

    /** Captures everything every logger writes from now on: the libraries' too (Vert.x, Netty, Mutiny, Quarkus). */
    public static LogCapture everything() {
        return on("");
    }

    private static LogCapture on(String name) {
        LogCapture capture = new LogCapture(name);
        Logger.getLogger(name).addHandler(capture);
        return capture;
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void publish(LogRecord record) {
        // JBoss LogManager hands every handler its own record type, which carries the MDC of the logging call.
        if (record instanceof ExtLogRecord ext) {
            lines.add(new Line(record.getLevel(), record.getLoggerName(), ext.getFormattedMessage(),
                    ext.getMdc("requestId"), ext.getThreadName()));
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        Logger.getLogger(logger).removeHandler(this);
    }
}
