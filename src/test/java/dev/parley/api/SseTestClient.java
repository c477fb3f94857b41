package dev.parley.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A plain SSE client for parley's chat stream: JDK HTTP client, our own parsing of {@code id:}, {@code event:},
 * {@code data:} and comment lines, and the arrival time of every frame.
 */
final class SseTestClient {

    /** Reads numbers with a fraction as BigDecimal, so amounts of money are compared exactly. */
    static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    /** A request body from a map. */
    static String json(Map<String, ?> body) {
        return JSON.valueToTree(body).toString();
    }

    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    /** Sent with every request, e.g. the caller's header behind a gateway. */
    private final Map<String, String> headers;

    SseTestClient(URI base) {
        this(base, Map.of());
    }

    SseTestClient(URI base, Map<String, String> headers) {
        this.base = base;
        this.headers = headers;
    }

    /** One frame: a named event with its id and JSON data, or a comment (heartbeat). */
    record Frame(String id, String event, JsonNode data, String comment, long atNanos) {
        boolean isComment() {
            return comment != null;
        }
    }

    record StreamReply(int status, HttpResponse<?> response, List<Frame> frames, String body) {
        /** The turn's events after its {@code start} event (which every stream begins with, see {@link #start()}). */
        List<Frame> events() {
            return frames.stream().filter(frame -> !frame.isComment() && !"start".equals(frame.event())).toList();
        }

        /** The {@code start} event: the turn's id, and whether it is resumable. */
        Frame start() {
            return frames.stream().filter(frame -> "start".equals(frame.event())).findFirst().orElseThrow();
        }

        List<String> names() {
            return events().stream().map(Frame::event).toList();
        }

        String text() {
            StringBuilder text = new StringBuilder();
            events().stream().filter(f -> f.event().equals("text")).forEach(f -> text.append(f.data().path("text")
                    .asText()));
            return text.toString();
        }

        Frame last() {
            return events().getLast();
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }
    }

    StreamReply stream(String body) {
        return stream(body, frame -> false);
    }

    /**
     * Streams until {@code stopAfter} accepts a frame, then hangs up at once, as a closed browser tab would:
     * {@code HttpURLConnection.disconnect()} closes the socket there and then, rather than leaving it to a pool.
     */
    List<Frame> streamAndHangUp(String body, Predicate<Frame> stopAfter) {
        return streamAndHangUp(body, stopAfter, null);
    }

    /** {@link #streamAndHangUp(String, Predicate)} with the caller's request id, when not null. */
    List<Frame> streamAndHangUp(String body, Predicate<Frame> stopAfter, String requestId) {
        try {
            HttpURLConnection connection = (HttpURLConnection) base.resolve("/v1/chat/stream").toURL()
                    .openConnection();
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setRequestProperty("content-type", "application/json");
            connection.setRequestProperty("accept", "text/event-stream");
            headers.forEach(connection::setRequestProperty);
            if (requestId != null) {
                connection.setRequestProperty("x-request-id", requestId);
            }
            connection.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
            List<Frame> frames = new ArrayList<>();
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8))) {
                List<String> frameLines = new ArrayList<>();
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!line.isEmpty()) {
                        frameLines.add(line);
                    } else if (!frameLines.isEmpty()) {
                        Frame frame = parse(frameLines);
                        frameLines.clear();
                        frames.add(frame);
                        if (stopAfter.test(frame)) {
                            break;
                        }
                    }
                }
            } finally {
                connection.disconnect();
            }
            return frames;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    StreamReply stream(String body, Predicate<Frame> stopAfter) {
        return stream(client, body, stopAfter);
    }

    private StreamReply stream(HttpClient client, String body, Predicate<Frame> stopAfter) {
        return read(HttpRequest.newBuilder(base.resolve("/v1/chat/stream"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)), stopAfter);
    }

    /** Resumes a turn after the event {@code lastEventId} (no header when null), reading to the end. */
    StreamReply resume(String turnId, String lastEventId) {
        return resume(turnId, lastEventId, frame -> false);
    }

    /** Resumes a turn after the event {@code lastEventId} until {@code stopAfter} accepts a frame. */
    StreamReply resume(String turnId, String lastEventId, Predicate<Frame> stopAfter) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/v1/chat/turns/" + turnId + "/stream"))
                .GET();
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return read(request, stopAfter);
    }

    /** Stops a turn: the status of {@code DELETE /v1/chat/turns/{turnId}}. */
    int stop(String turnId) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/v1/chat/turns/" + turnId)).DELETE();
        headers.forEach(request::header);
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private StreamReply read(HttpRequest.Builder request, Predicate<Frame> stopAfter) {
        request.timeout(Duration.ofSeconds(30)).header("accept", "text/event-stream");
        headers.forEach(request::header);
        try {
            HttpResponse<Stream<String>> response = client.send(request.build(), HttpResponse.BodyHandlers.ofLines());
            List<Frame> frames = new ArrayList<>();
            StringBuilder raw = new StringBuilder();
            try (Stream<String> lines = response.body()) {
                var iterator = lines.iterator();
                List<String> frameLines = new ArrayList<>();
                while (iterator.hasNext()) {
                    String line = iterator.next();
                    raw.append(line).append('\n');
                    if (!line.isEmpty()) {
                        frameLines.add(line);
                        continue;
                    }
                    if (frameLines.isEmpty()) {
                        continue;
                    }
                    Frame frame = parse(frameLines);
                    frameLines.clear();
                    frames.add(frame);
                    if (stopAfter.test(frame)) {
                        break;
                    }
                }
            }
            return new StreamReply(response.statusCode(), response, frames, raw.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * GETs a JSON document with the already-warm JDK client: quick enough to poll inside a one-second bound
     * (REST Assured's first call alone can take half a second).
     */
    JsonNode getJson(String path) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
            headers.forEach(request::header);
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The simulator's counter for a directive id. */
    long simulatorCounter(String id, String counter) {
        return getJson("/simulator/admin/counters?id=" + id).path(counter).asLong();
    }

    private static Frame parse(List<String> lines) {
        long now = System.nanoTime();
        if (lines.size() == 1 && lines.getFirst().startsWith(":")) {
            return new Frame(null, null, null, lines.getFirst(), now);
        }
        String id = null;
        String event = null;
        String data = null;
        for (String line : lines) {
            if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("event: ")) {
                event = line.substring(7);
            } else if (line.startsWith("data: ")) {
                if (data != null) {
                    throw new AssertionError("more than one data line: " + lines);
                }
                data = line.substring(6);
            } else {
                throw new AssertionError("unexpected SSE line '" + line + "' in " + lines);
            }
        }
        if (id == null || event == null || data == null) {
            throw new AssertionError("a frame needs id, event and data: " + lines);
        }
        try {
            return new Frame(id, event, JSON.readTree(data), null, now);
        } catch (IOException e) {
            throw new AssertionError("data is not JSON: " + data, e);
        }
    }
}
