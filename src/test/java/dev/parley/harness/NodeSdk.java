package dev.parley.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The official Anthropic TypeScript SDK, run through Node: {@code src/test/node/anthropic-sdk/scenarios.mjs} runs one
 * scenario and prints one JSON line of what the SDK saw, which {@link #run} returns. The SDK comes from the committed
 * lockfile, installed with {@code npm ci} into {@code target/node/anthropic-sdk} once per build (a {@code clean}
 * installs it again; npm's cache makes that offline after the first time). Without Node the calling test fails with
 * what to install: a skip would hide that a client nobody here wrote was never run.
 */
public final class NodeSdk {

    private static final Path PROJECT = Path.of("src/test/node/anthropic-sdk");
    private static final List<String> PROJECT_FILES = List.of("package.json", "package-lock.json", ".npmrc",
            "scenarios.mjs");
    private static final Path INSTALLED = Path.of("target/node/anthropic-sdk");
    private static final Path SDK_MANIFEST = INSTALLED.resolve("node_modules/@anthropic-ai/sdk/package.json");
    /** Generous: two cores shared with other builds make a scenario slow, never wrong; the SDK's retries wait too. */
    private static final Duration SCENARIO_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    /** The oldest Node the SDK runs on here: Debian bookworm's nodejs, which {@code .ci/prepare-machine} installs. */
    private static final int OLDEST_NODE = 18;
    private static final String INSTALL_HINT = "Node.js " + OLDEST_NODE + "+ and npm are needed to run the official "
            + "TypeScript SDK (apt-get install -y nodejs npm; .ci/run installs them)";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Set once this JVM has checked (and if need be made) the installation. */
    private static Path node;

    private NodeSdk() {
    }

    /** The strings of an array of an outcome line (event types, model ids…), in order. */
    public static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(item -> texts.add(item.asText()));
        return texts;
    }

    /** The event types with repeats collapsed: the deltas' number is the reply's, the order is the protocol's. */
    public static List<String> distinctRuns(JsonNode events) {
        List<String> runs = new ArrayList<>();
        for (String type : texts(events)) {
            if (runs.isEmpty() || !runs.getLast().equals(type)) {
                runs.add(type);
            }
        }
        return runs;
    }

    /**
     * Runs {@code scenario} against {@code baseUrl} and returns its outcome line. {@code environment} carries the
     * script's options ({@code SCENARIO_ID}, {@code MAX_RETRIES}, {@code TIMEOUT_MS}, {@code MODEL}); nothing of the
     * machine's {@code ANTHROPIC_*} variables reaches the SDK, which would otherwise read them as defaults.
     */
    public static JsonNode run(URI baseUrl, String apiKey, String scenario, Map<String, String> environment) {
        Path node = installed();
        ProcessBuilder builder = new ProcessBuilder(node.toString(), "scenarios.mjs", baseUrl.toString(), apiKey,
                scenario).directory(INSTALLED.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("ANTHROPIC_") || key.equals("NODE_OPTIONS"));
        builder.environment().putAll(environment);
        Finished run = execute(builder, SCENARIO_TIMEOUT);
        String line = run.stdout().strip().lines().reduce((first, second) -> second).orElse("");
        try {
            JsonNode outcome = JSON.readTree(line);
            if (outcome.isObject()) {
                return outcome;
            }
        } catch (JsonProcessingException e) {
            // reported below, with what the script printed
        }
        throw new AssertionError("scenario " + scenario + " printed no JSON line (exit " + run.exitCode() + "):\n"
                + run.stdout() + run.stderr());
    }

    /** Node, with the SDK installed beside a fresh copy of the scripts; once per JVM. */
    private static synchronized Path installed() {
        if (node == null) {
            Path found = findNode();
            install(found);
            node = found;
        }
        return node;
    }

    private static Path findNode() {
        Path found = onPath("node").or(() -> Optional.of(Path.of("/usr/bin/node")).filter(Files::isExecutable))
                .orElseThrow(() -> new AssertionError("node is not on the PATH nor at /usr/bin/node: " + INSTALL_HINT));
        String version = execute(new ProcessBuilder(found.toString(), "--version"), Duration.ofSeconds(30)).stdout()
                .strip();
        int major = Integer.parseInt(version.replaceFirst("^v(\\d+).*", "$1"));
        if (major < OLDEST_NODE) {
            throw new AssertionError(found + " is Node " + version + ": " + INSTALL_HINT);
        }
        return found;
    }

    /**
     * Installs the lockfile's packages unless the installation already matches it, and copies the scripts. Another
     * JVM (a second build in this clone) may be doing the same: a file lock serialises them, and {@code npm ci} runs
     * in a staging directory that replaces the installation in one move, so nobody sees half a node_modules.
     */
    private static void install(Path node) {
        try {
            Files.createDirectories(INSTALLED.getParent());
            try (FileChannel channel = FileChannel.open(INSTALLED.resolveSibling("install.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                if (!matchesLockfile(INSTALLED)) {
                    Path staging = INSTALLED.resolveSibling("anthropic-sdk.staging");
                    deleteRecursively(staging);
                    copyProject(staging);
                    npmCi(node, staging);
                    deleteRecursively(INSTALLED);
                    Files.move(staging, INSTALLED, StandardCopyOption.ATOMIC_MOVE);
                }
                // The scripts change more often than the lockfile; copying them is cheap.
                copyProject(INSTALLED);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean matchesLockfile(Path installation) throws IOException {
        Path lockfile = installation.resolve("package-lock.json");
        return Files.exists(SDK_MANIFEST) && Files.exists(lockfile)
                && Files.mismatch(lockfile, PROJECT.resolve("package-lock.json")) == -1;
    }

    private static void copyProject(Path target) throws IOException {
        Files.createDirectories(target);
        for (String file : PROJECT_FILES) {
            // Through a temporary file and a move: a scenario of another JVM may be reading the old copy.
            Path temporary = Files.createTempFile(target, file, ".tmp");
            Files.copy(PROJECT.resolve(file), temporary, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temporary, target.resolve(file), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** {@code npm ci} exactly as the lockfile says; {@code --prefer-offline} takes npm's cache over the registry. */
    private static void npmCi(Path node, Path directory) {
        Path npm = Optional.of(node.resolveSibling("npm")).filter(Files::isExecutable).or(() -> onPath("npm"))
                .orElseThrow(() -> new AssertionError("npm is neither beside " + node + " nor on the PATH: "
                        + INSTALL_HINT));
        Finished install = execute(
                new ProcessBuilder(npm.toString(), "ci", "--no-audit", "--no-fund", "--prefer-offline")
                        .directory(directory.toFile()),
                INSTALL_TIMEOUT);
        if (install.exitCode() != 0) {
            throw new AssertionError("npm ci in " + directory + " failed (exit " + install.exitCode() + "):\n"
                    + install.stdout() + install.stderr());
        }
    }

    private static Optional<Path> onPath(String program) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":")).filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, program)).filter(Files::isExecutable).findFirst();
    }

    private record Finished(int exitCode, String stdout, String stderr) {
    }

    private static Finished execute(ProcessBuilder builder, Duration timeout) {
        List<String> command = new ArrayList<>(builder.command());
        try {
            Process process = builder.start();
            process.getOutputStream().close();
            // Both pipes are read while it runs, each on a thread of its own (the common pool may have one thread on
            // two cores): either may hold more than a pipe's buffer before the process exits.
            CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()),
                    Thread.ofVirtual()::start);
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()),
                    Thread.ofVirtual()::start);
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(command + " did not finish within " + timeout + ":\n" + stdout.join()
                        + stderr.join());
            }
            return new Finished(process.exitValue(), stdout.join(), stderr.join());
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static String read(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
