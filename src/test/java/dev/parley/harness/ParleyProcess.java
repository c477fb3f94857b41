package dev.parley.harness;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the packaged application ({@code target/quarkus-app/quarkus-run.jar}) as a separate process on a random
 * port, with exactly the environment a test gives it, and waits until it listens. For tests that need several
 * processes: a relay and its upstream, or several replicas sharing state.
 */
public final class ParleyProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Listening on: http://[^:]+:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final Thread reader;
    private final URI uri;
    private final String name;
    private final Path data;

    private ParleyProcess(String name, Map<String, String> environment, List<String> jvmOptions, Path data)
            throws IOException {
        this.name = name;
        this.data = data;
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException("package the application first: " + jar + " is missing");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dquarkus.http.port=0", "-Dparley.ledger.directory=" + data.toAbsolutePath(), "-jar",
                jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // The machine's proxy variables too: parley honours them, and a relay's upstream here is on localhost.
        withoutMachineSettings(builder);
        // Production has no default auth mode; tests that do not choose one run without authentication.
        builder.environment().put("PARLEY_AUTH_MODE", "none");
        builder.environment().putAll(environment);
        process = builder.start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        reader = new Thread(() -> readOutput(port), name + "-output");
        reader.setDaemon(true);
        reader.start();
        try {
            uri = URI.create("http://localhost:" + port.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not start: " + String.join("\n", output()), e);
        }
    }

    /** Starts a process with this environment (nothing inherited from ANTHROPIC_*, PARLEY_* or QUARKUS_*). */
    public static ParleyProcess start(String name, Map<String, String> environment) {
        return start(name, environment, List.of());
    }

    /** The same, with options for the JVM (a heap size, say) before {@code -jar}. */
    public static ParleyProcess start(String name, Map<String, String> environment, List<String> jvmOptions) {
        try {
            // Each process has its own embedded ledger: an H2 file is open in one process at a time.
            return new ParleyProcess(name, environment, jvmOptions,
                    Files.createTempDirectory(Path.of("target"), "parley-process-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a process on the data directory (embedded ledger, ledger journal) an earlier one used, as a restarted
     * container finds its volume: the earlier one must have exited.
     */
    public static ParleyProcess restart(String name, Map<String, String> environment, Path data) {
        try {
            return new ParleyProcess(name, environment, List.of(), data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The process's data directory: its embedded ledger and its ledger journal ({@code ledger-journal.ndjson.*}). */
    public Path data() {
        return data;
    }

    /**
     * A process serving the simulator, as a separate upstream: the one setting README gives for the packaged service
     * on its own simulator.
     */
    public static ParleyProcess simulator() {
        return start("simulator", Map.of("PARLEY_ANTHROPIC_BASE_URL", "embedded"));
    }

    /** What a start that was expected to fail printed, and its exit code. */
    public record Exited(int code, List<String> output) {
    }

    /**
     * Starts the packaged application with {@code java} (a path to any JDK's launcher) on the data directory
     * {@code data}, expecting it to refuse to start, and returns once it exited (within a minute).
     */
    public static Exited refusedStart(Path java, Map<String, String> environment, Path data) {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-Dquarkus.http.port=0",
                "-Dparley.ledger.directory=" + data.toAbsolutePath(), "-jar", jar.toString())
                .redirectErrorStream(true);
        withoutMachineSettings(builder);
        builder.environment().put("PARLEY_AUTH_MODE", "none");
        builder.environment().putAll(environment);
        try {
            Process process = builder.start();
            // Read while it runs: the process may print more than a pipe holds before it exits.
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("still running a minute after its start, instead of refusing: "
                        + output.get(20, TimeUnit.SECONDS));
            }
            return new Exited(process.exitValue(), output.get(20, TimeUnit.SECONDS).lines().toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("reading the output of a refused start", e);
        }
    }

    /**
     * Nothing of the machine's own settings for parley: ANTHROPIC_*, PARLEY_*, QUARKUS_*, and the egress proxy
     * variables parley honours (the tests' upstreams are on localhost).
     */
    private static void withoutMachineSettings(ProcessBuilder builder) {
        builder.environment().keySet().removeIf(key -> key.startsWith("ANTHROPIC_") || key.startsWith("PARLEY_")
                || key.startsWith("QUARKUS_") || key.equalsIgnoreCase("HTTPS_PROXY")
                || key.equalsIgnoreCase("HTTP_PROXY") || key.equalsIgnoreCase("NO_PROXY"));
    }

    /** The launcher of the JDK this test runs on. */
    public static Path thisJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    public URI uri() {
        return uri;
    }

    /** The operating system's id of the process, e.g. to read {@code /proc/<pid>/status}. */
    public long pid() {
        return process.pid();
    }

    /**
     * Asks the process to stop as Kubernetes does (SIGTERM on Unix) and returns at once, so a test can watch what
     * the process does while it shuts down. Through its {@code ProcessHandle}: {@code Process.destroy()} would also
     * close the pipe of its output, and with it everything the process logs while it stops.
     */
    public void sigterm() {
        process.toHandle().destroy();
    }

    /**
     * Kills the process at once (SIGKILL on Unix: no shutdown hook, no flush, as the kernel's OOM killer or a lost
     * node would) and waits until it is gone.
     */
    public void kill9() {
        process.toHandle().destroyForcibly();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " survived SIGKILL");
            }
            reader.join(Duration.ofSeconds(5));
            Files.write(Path.of("target", name + "-" + uri.getPort() + ".log"), output());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Waits up to {@code timeout} for the process to exit; its exit code (and all its output read), or empty if it
     * is still running.
     */
    public OptionalInt awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return OptionalInt.empty();
            }
            reader.join(Duration.ofSeconds(5));
            return OptionalInt.of(process.exitValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Everything the process printed so far. */
    public List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.write(Path.of("target", name + "-" + uri.getPort() + ".log"), output());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readOutput(CompletableFuture<Integer> port) {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
                Matcher listening = LISTENING.matcher(line);
                if (listening.find()) {
                    port.complete(Integer.parseInt(listening.group(1)));
                }
            }
            port.completeExceptionally(new IllegalStateException("exited with " + process.waitFor()));
        } catch (IOException | InterruptedException e) {
            port.completeExceptionally(e);
        }
    }
}
