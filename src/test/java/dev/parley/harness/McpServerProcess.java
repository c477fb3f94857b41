package dev.parley.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Starts the MCP test server ({@code dev.parley.mcp.testserver.McpTestServer}) as a JVM of its own, on the test's
 * classpath and with the test's Java, and waits until it listens: a real MCP server on the other side of a socket, for
 * tests of the JVM suite and of the packaged or native application alike (the test JVM is an ordinary one in both).
 * {@link #restart()} brings it back on the same port, as a redeployed server comes back at the same address.
 */
public final class McpServerProcess implements AutoCloseable {

    private static final String MAIN = "dev.parley.mcp.testserver.McpTestServer";
    private static final Pattern LISTENING = Pattern.compile("^MCP test server listening on port (\\d+)$");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String token;
    private final HttpClient admin = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<String> output = new ArrayList<>();
    private Process process;
    private Thread reader;
    private int port;

    private McpServerProcess(String token) {
        this.token = token;
    }

    /** A server that asks for no credentials, on a free port. */
    public static McpServerProcess start() {
        return start(null);
    }

    /**
     * A server on a free port whose {@code /mcp} answers 401 to requests without {@code Authorization: Bearer
     * <token>} (null: no token needed).
     */
    public static McpServerProcess start(String token) {
        McpServerProcess server = new McpServerProcess(token);
        server.launch(0);
        return server;
    }

    /** The MCP endpoint, e.g. {@code http://127.0.0.1:41234/mcp}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port + "/mcp");
    }

    /** The server's origin without a path, e.g. {@code http://127.0.0.1:41234} (the SDK client's base URI). */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** Adds the tool {@code extra}; the server notifies its connected clients before this returns. */
    public void addExtraTool() {
        admin("POST", "/admin/tools/extra");
    }

    /** Removes the tool {@code extra}; the server notifies its connected clients before this returns. */
    public void removeExtraTool() {
        admin("DELETE", "/admin/tools/extra");
    }

    /** The calls the server received per tool, every tool present (0 for none). */
    public Map<String, Long> calls() {
        return readCounts(admin("GET", "/admin/calls"));
    }

    /** The calls {@code tool} received. */
    public long calls(String tool) {
        return calls().getOrDefault(tool, 0L);
    }

    /** Sets every call count (and the count of cancelled calls) back to 0. */
    public void resetCalls() {
        admin("DELETE", "/admin/calls");
    }

    /** The calls of {@code slow} that stopped sleeping because the client cancelled them. */
    public long cancelledSlowCalls() {
        return readCounts(admin("GET", "/admin/cancellations")).getOrDefault("slow", 0L);
    }

    /**
     * One request to the admin API ({@code method} and a {@code path} such as {@code /admin/health}); its body, or an
     * {@link IllegalStateException} unless it answered 200.
     */
    public String admin(String method, String path) {
        HttpRequest request = HttpRequest.newBuilder(baseUri().resolve(path))
                .timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        try {
            HttpResponse<String> response = admin.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
                        + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s) and waits until it is gone; its port is free again. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(Duration.ofSeconds(5));
            Files.write(Path.of("target", "mcp-test-server-" + port + ".log"), output());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            process = null;
        }
    }

    /**
     * Stops the server and starts a new one on the same port, with the same token: it knows none of the old one's
     * sessions, and {@code extra} is gone and the counts are 0 again.
     */
    public void restart() {
        stop();
        launch(port);
    }

    /** Whether the process runs. */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Everything the server printed so far (standard output and standard error), over all its restarts. */
    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void launch(int requestedPort) {
        List<String> command = new ArrayList<>(List.of(ParleyProcess.thisJava().toString(),
                // A small server that should start fast, not run fast.
                "-Xmx128m", "-XX:TieredStopAtLevel=1",
                // The test classpath logs through JBoss LogManager (SLF4J included: the SDK's and Jetty's logs), which
                // must be the JDK's log manager from the start.
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                // Surefire and Failsafe both set java.class.path to the test classpath in the forked test JVM.
                "-cp", System.getProperty("java.class.path"), MAIN, "--port", Integer.toString(requestedPort),
                "--parent-pid", Long.toString(ProcessHandle.current().pid())));
        if (token != null) {
            command.addAll(List.of("--token", token));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting " + MAIN, e);
        }
        CompletableFuture<Integer> listening = new CompletableFuture<>();
        Process started = process;
        reader = new Thread(() -> readOutput(started, listening), "mcp-test-server-output");
        reader.setDaemon(true);
        reader.start();
        try {
            port = listening.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            process = null;
            throw new IllegalStateException("the MCP test server did not start: " + String.join("\n", output()), e);
        }
    }

    private void readOutput(Process started, CompletableFuture<Integer> listening) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
                Matcher matcher = LISTENING.matcher(line);
                if (matcher.matches()) {
                    listening.complete(Integer.parseInt(matcher.group(1)));
                }
            }
            listening.completeExceptionally(new IllegalStateException("exited with " + started.waitFor()));
        } catch (IOException | InterruptedException e) {
            listening.completeExceptionally(e);
        }
    }

    private static Map<String, Long> readCounts(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Long>>() {
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
