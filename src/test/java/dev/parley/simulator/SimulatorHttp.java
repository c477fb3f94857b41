package dev.parley.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A deliberately plain HTTP client for the simulator's tests: the JDK client, raw bytes, our own SSE split, so that
 * the framing is checked as it is on the wire and not through a library that forgives mistakes.
 */
final class SimulatorHttp {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "parley-simulator-key";
    static final String VERSION = "2023-06-01";

    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    SimulatorHttp(URI base) {
        this.base = base;
    }

    /** One SSE event: its {@code event:} name, its parsed {@code data:}, and the raw frame text. */
    record SseEvent(String event, JsonNode data, String raw, long atNanos) {
    }

    record Reply(int status, Map<String, List<String>> headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        String header(String name) {
            return headers.getOrDefault(name, List.of()).stream().findFirst().orElse(null);
        }

        List<SseEvent> events() {
            return parseEvents(body);
        }
    }

    static ObjectNode request(String model, int maxTokens, String userText) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("max_tokens", maxTokens);
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "user").put("content", userText);
        return body;
    }

    static ObjectNode streaming(ObjectNode body) {
        return body.put("stream", true);
    }

    Reply post(String path, JsonNode body) {
        return post(path, body.toString(), Map.of("x-api-key", KEY, "anthropic-version", VERSION));
    }

    Reply post(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(base.getPath() + path))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(builder::header);
        return send(builder.build());
    }

    Reply get(String path) {
        return get(path, Map.of("x-api-key", KEY, "anthropic-version", VERSION));
    }

    Reply get(String path, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(base.getPath() + path))
                .timeout(Duration.ofSeconds(30)).GET();
        headers.forEach(builder::header);
        return send(builder.build());
    }

    /** Streams a request and timestamps each event as it arrives. */
    List<SseEvent> stream(JsonNode body) {
        return stream(body, Map.of("x-api-key", KEY, "anthropic-version", VERSION));
    }

    /** Streams a request with these headers. */
    List<SseEvent> stream(JsonNode body, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(base.getPath() + "/v1/messages"))
                .timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        headers.forEach(builder::header);
        HttpRequest request = builder.build();
        try {
            HttpResponse<Stream<String>> response = client.send(request, HttpResponse.BodyHandlers.ofLines());
            if (response.statusCode() != 200) {
                throw new AssertionError("status " + response.statusCode() + ": " + String.join("\n",
                        response.body().toList()));
            }
            List<SseEvent> events = new ArrayList<>();
            StringBuilder frame = new StringBuilder();
            try (Stream<String> lines = response.body()) {
                lines.forEach(line -> {
                    if (line.isEmpty()) {
                        if (!frame.isEmpty()) {
                            events.add(parseFrame(frame.toString(), System.nanoTime()));
                            frame.setLength(0);
                        }
                    } else {
                        frame.append(line).append('\n');
                    }
                });
            }
            return events;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    JsonNode counters(String id) {
        return get("/admin/counters?id=" + id, Map.of()).json();
    }

    JsonNode recorded(String id) {
        return get("/admin/requests?id=" + id, Map.of()).json();
    }

    static List<SseEvent> parseEvents(String body) {
        List<SseEvent> events = new ArrayList<>();
        for (String frame : body.split("\n\n")) {
            if (!frame.isBlank()) {
                events.add(parseFrame(frame + "\n", 0));
            }
        }
        return events;
    }

    /** Parses a frame that must consist of exactly one {@code event:} line and one {@code data:} line. */
    private static SseEvent parseFrame(String frame, long atNanos) {
        String[] lines = frame.split("\n");
        if (lines.length != 2 || !lines[0].startsWith("event: ") || !lines[1].startsWith("data: ")) {
            throw new AssertionError("not an event+data frame: " + frame);
        }
        try {
            return new SseEvent(lines[0].substring(7), JSON.readTree(lines[1].substring(6)), frame, atNanos);
        } catch (IOException e) {
            throw new AssertionError("data is not JSON: " + frame, e);
        }
    }

    /** Concatenated text of all text deltas. */
    static String text(List<SseEvent> events) {
        StringBuilder text = new StringBuilder();
        for (SseEvent event : events) {
            JsonNode delta = event.data().path("delta");
            if ("text_delta".equals(delta.path("type").asText())) {
                text.append(delta.path("text").asText());
            }
        }
        return text.toString();
    }

    static List<String> names(List<SseEvent> events) {
        return events.stream().map(SseEvent::event).toList();
    }

    static Map<String, String> headers(String... pairs) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
