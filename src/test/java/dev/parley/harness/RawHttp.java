package dev.parley.harness;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for what an HTTP client will not send: a path that is not a valid URI, a
 * {@code Content-Length} with no body behind it, a body cut into chunks at will, an oversized request line. One
 * request per connection ({@code Connection: close}).
 */
public final class RawHttp implements AutoCloseable {

    /** A response: its status, headers (names in lower case) and body as text. */
    public record Reply(int status, Map<String, String> headers, String body) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private boolean writeFailed;

    private RawHttp(URI base, int readTimeoutMillis) {
        try {
            socket = new Socket(base.getHost(), base.getPort());
            socket.setSoTimeout(readTimeoutMillis);
            out = socket.getOutputStream();
            in = socket.getInputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RawHttp connect(URI base) {
        return new RawHttp(base, 20_000);
    }

    /** Sends the request line and headers (CRLF-terminated lines, the blank line added), and nothing else. */
    public RawHttp head(String requestLine, String... headers) {
        StringBuilder head = new StringBuilder(requestLine).append("\r\n");
        for (String header : headers) {
            head.append(header).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        return send(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Sends raw bytes; a write that fails because the server has closed the connection is noted, not thrown. */
    public RawHttp send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            writeFailed = true;
        }
        return this;
    }

    /** One chunk of a chunked body. */
    public RawHttp chunk(byte[] bytes) {
        send((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        send(bytes);
        return send("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Whether a write failed because the server had closed the connection. */
    public boolean writeFailed() {
        return writeFailed;
    }

    /**
     * Reads the next response: the body up to its {@code Content-Length}, or to the end of the connection; an interim
     * (1xx) response has none.
     */
    public Reply reply() {
        try {
            String statusLine = line();
            Map<String, String> headers = new TreeMap<>();
            for (String line = line(); !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            String length = headers.get("content-length");
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            if (status / 100 == 1) {
                return new Reply(status, headers, "");
            } else if (length != null) {
                body.write(in.readNBytes(Integer.parseInt(length)));
            } else if (!"chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                in.transferTo(body);
            } else {
                for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(),
                        16)) {
                    body.write(in.readNBytes(size));
                    line();
                }
            }
            return new Reply(Integer.parseInt(statusLine.split(" ")[1]), headers,
                    body.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * After a request sent with {@code Expect: 100-continue}: empty when the server asks for the body, else its final
     * reply, sent before the body.
     */
    public Optional<Reply> continueOrReply() {
        Reply reply = reply();
        return reply.status() == 100 ? Optional.empty() : Optional.of(reply);
    }

    /** The connection's input as it comes, for a test that reads a streamed response itself. */
    public InputStream input() {
        return in;
    }

    /** Whether the server has closed the connection: the next read sees its end. */
    public boolean isClosedByServer() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new IOException("connection closed in the middle of a response head");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
