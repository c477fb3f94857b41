package dev.parley.anthropic;

import java.util.Arrays;
import java.util.function.Consumer;

import io.vertx.core.buffer.Buffer;

/**
 * Reads a {@code text/event-stream} body as it arrives, in whatever chunks the network delivers, and hands on the
 * {@code data} of each event as UTF-8 bytes, undecoded (WHATWG HTML, "Interpreting an event stream"): lines end in
 * CRLF, LF or CR; {@code data:} lines are joined with LF; a blank line dispatches; comments ({@code :}), {@code event},
 * {@code id} and {@code retry} are skipped, because a Messages API event names its type in its JSON as well (§2.2).
 * An event cut off by the end of the body is dropped, as the standard says.
 * <p>
 * Byte-level on purpose: this is the hot path of every relayed token, and the REST client's SSE reader (strings per
 * line, a reader lookup per event) cost more CPU than everything else parley does per token (see bench/README.md).
 * Not thread-safe: one reader per stream, fed on its event loop.
 */
final class SseDataReader {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] DATA = {'d', 'a', 't', 'a'};

    private final Consumer<byte[]> onData;
    /** The start of a line that the last chunk did not finish. */
    private byte[] partialLine = new byte[0];
    /** The data of the event being read, its lines joined with LF. */
    private byte[] data = new byte[256];
    private int dataLength;
    private boolean hasData;
    /** The last chunk ended with CR: an LF starting the next one belongs to that line end. */
    private boolean afterCr;

    SseDataReader(Consumer<byte[]> onData) {
        this.onData = onData;
    }

    void feed(Buffer chunk) {
        byte[] bytes = chunk.getBytes();
        int start = 0;
        if (afterCr && bytes.length > 0 && bytes[0] == LF) {
            start = 1;
        }
        afterCr = false;
        for (int i = start; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b != LF && b != CR) {
                continue;
            }
            if (partialLine.length == 0) {
                line(bytes, start, i);
            } else {
                byte[] whole = Arrays.copyOf(partialLine, partialLine.length + i - start);
                System.arraycopy(bytes, start, whole, partialLine.length, i - start);
                partialLine = new byte[0];
                line(whole, 0, whole.length);
            }
            if (b == CR) {
                if (i + 1 == bytes.length) {
                    afterCr = true;
                } else if (bytes[i + 1] == LF) {
                    i++;
                }
            }
            start = i + 1;
        }
        if (start < bytes.length) {
            byte[] rest = Arrays.copyOf(partialLine, partialLine.length + bytes.length - start);
            System.arraycopy(bytes, start, rest, partialLine.length, bytes.length - start);
            partialLine = rest;
        }
    }

    /** One line, without its end, in {@code bytes[from, to)}. */
    private void line(byte[] bytes, int from, int to) {
        if (from == to) {
            dispatch();
            return;
        }
        int colon = from;
        while (colon < to && bytes[colon] != ':') {
            colon++;
        }
        if (!isData(bytes, from, colon)) {
            return;
        }
        int value = colon + 1;
        if (value < to && bytes[value] == ' ') {
            value++;
        }
        if (hasData) {
            append(LF);
        }
        hasData = true;
        int length = Math.max(0, to - value);
        ensure(dataLength + length);
        System.arraycopy(bytes, value, data, dataLength, length);
        dataLength += length;
    }

    private static boolean isData(byte[] bytes, int from, int colon) {
        return colon - from == DATA.length && Arrays.equals(bytes, from, colon, DATA, 0, DATA.length);
    }

    private void dispatch() {
        if (!hasData) {
            return;
        }
        byte[] event = Arrays.copyOf(data, dataLength);
        hasData = false;
        dataLength = 0;
        onData.accept(event);
    }

    private void append(byte b) {
        ensure(dataLength + 1);
        data[dataLength++] = b;
    }

    private void ensure(int capacity) {
        if (capacity > data.length) {
            data = Arrays.copyOf(data, Math.max(capacity, data.length * 2));
        }
    }
}
