package dev.parley.bench;

import io.vertx.core.buffer.Buffer;

/**
 * A minimal SSE reader for one response: it counts text events and their text bytes and notices the stream's last
 * event ({@code done}/{@code message_stop} or {@code error}). It never builds strings or parses JSON, so the load
 * generator stays cheap next to what it measures.
 */
final class SseCounter {

    /** The two wire dialects measured: Anthropic's (straight at the simulator) and parley's. */
    enum Dialect {
        ANTHROPIC("content_block_delta", "message_stop"),
        PARLEY("text", "done");

        final byte[] textEvent;
        final byte[] doneEvent;

        Dialect(String textEvent, String doneEvent) {
            this.textEvent = textEvent.getBytes();
            this.doneEvent = doneEvent.getBytes();
        }
    }

    private static final byte[] EVENT = "event: ".getBytes();
    private static final byte[] DATA = "data: ".getBytes();
    private static final byte[] ERROR = "error".getBytes();
    /** Both dialects carry a text delta's text under this key, and no other event of theirs has it. */
    private static final byte[] TEXT_KEY = "\"text\":\"".getBytes();

    private enum Kind {
        OTHER, TEXT, DONE, ERROR
    }

    private final Dialect dialect;
    private byte[] line = new byte[512];
    private int length;
    private Kind kind = Kind.OTHER;
    private long textEvents;
    private long textBytes;
    private boolean done;
    private boolean failed;

    SseCounter(Dialect dialect) {
        this.dialect = dialect;
    }

    /** Reads a chunk of the body. */
    void feed(Buffer chunk) {
        int size = chunk.length();
        for (int i = 0; i < size; i++) {
            byte b = chunk.getByte(i);
            if (b == '\n') {
                onLine();
                length = 0;
            } else if (b != '\r') {
                if (length == line.length) {
                    line = java.util.Arrays.copyOf(line, line.length * 2);
                }
                line[length++] = b;
            }
        }
    }

    long textEvents() {
        return textEvents;
    }

    long textBytes() {
        return textBytes;
    }

    /** Whether the stream ended with its success event. */
    boolean done() {
        return done;
    }

    /** Whether the stream carried an error event. */
    boolean failed() {
        return failed;
    }

    private void onLine() {
        if (length == 0) {
            kind = Kind.OTHER; // end of an event
        } else if (startsWith(EVENT)) {
            kind = named(dialect.textEvent) ? Kind.TEXT
                    : named(dialect.doneEvent) ? Kind.DONE : named(ERROR) ? Kind.ERROR : Kind.OTHER;
            if (kind == Kind.DONE) {
                done = true;
            } else if (kind == Kind.ERROR) {
                failed = true;
            }
        } else if (kind == Kind.TEXT && startsWith(DATA)) {
            int at = indexOf(TEXT_KEY, DATA.length);
            if (at >= 0) {
                textEvents++;
                textBytes += stringLength(at + TEXT_KEY.length);
            }
        }
    }

    private boolean startsWith(byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (line[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean named(byte[] name) {
        if (length != EVENT.length + name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (line[EVENT.length + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    private int indexOf(byte[] needle, int from) {
        outer: for (int i = from; i <= length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (line[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Bytes of a JSON string's body starting at {@code from}, as written (escapes count as written). */
    private int stringLength(int from) {
        int i = from;
        while (i < length && line[i] != '"') {
            i += line[i] == '\\' ? 2 : 1;
        }
        return i - from;
    }
}
