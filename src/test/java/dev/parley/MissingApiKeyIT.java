package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.parley.harness.PackagedJar;

/**
 * The packaged application, started for a real upstream without {@code ANTHROPIC_API_KEY}, refuses to start with
 * one clear line and never prints anything resembling a key.
 */
@PackagedJar
class MissingApiKeyIT {

    @Test
    void startWithoutKeyFailsWithOneClearLine() throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertThat(jar).exists();
        // A ledger of its own, so a developer's ./data cannot change what this start-up meets.
        Path data = Files.createTempDirectory(Path.of("target"), "missing-api-key-");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dquarkus.http.port=0", "-Dparley.ledger.directory=" + data.toAbsolutePath(), "-jar",
                jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("ANTHROPIC_") || name.startsWith("PARLEY_")
                || name.startsWith("QUARKUS_"));
        // The auth mode is chosen, so the missing key is the one thing wrong.
        env.put("PARLEY_AUTH_MODE", "none");
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits by itself").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Files.writeString(Path.of("target/missing-api-key.log"), output);

        assertThat(process.exitValue()).isNotZero();
        assertThat(output).contains("ANTHROPIC_API_KEY is not set");
        assertThat(output.lines().filter(line -> line.contains("ANTHROPIC_API_KEY is not set")).count())
                .isLessThanOrEqualTo(2);
        // Production logs JSON; the cause is also one plain line a person reads on the console.
        assertThat(StartupRefusalsIT.plainLines(output.lines().toList())).containsExactly("parley did not start: "
                + "ANTHROPIC_API_KEY is not set: parley needs an Anthropic API key to call https://api.anthropic.com "
                + "(or set PARLEY_ANTHROPIC_BASE_URL=embedded to use the built-in simulator)");
    }
}
