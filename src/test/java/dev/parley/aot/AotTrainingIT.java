package dev.parley.aot;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.parley.harness.PackagedJar;

/**
 * The training run of the AOT cache, as the aot Maven profile and Dockerfile.jvm-aot start it (less the
 * {@code -XX:AOTCacheOutput} that records it): the packaged application, in the {@code aot-training} profile and with
 * nothing else configured, starts, answers readiness, streams a chat turn and exits with status 0 by itself.
 */
@PackagedJar
class AotTrainingIT {

    private static final Path LOG = Path.of("target/aot-training-it.log");

    @Test
    void startsServesAChatTurnAndExits() throws Exception {
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        assertThat(jar).exists();
        Path scratch = Files.createTempDirectory(Path.of("target"), "aot-training-");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.profile=prod," + AotTraining.PROFILE,
                "-Daot-training.dir=" + scratch.toAbsolutePath(), "-jar", jar.toString()))
                .redirectErrorStream(true)
                // To a file, not a pipe: nobody reads a pipe until the run ends, and a full one would block it.
                .redirectOutput(LOG.toFile());
        Map<String, String> env = builder.environment();
        // The profile alone must be enough: no key, no auth mode, no database server, no port from outside.
        env.keySet().removeIf(name -> name.startsWith("ANTHROPIC_") || name.startsWith("PARLEY_")
                || name.startsWith("QUARKUS_"));
        Process process = builder.start();
        boolean exited = process.waitFor(90, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        String output = Files.readString(LOG);

        assertThat(exited).as("exits by itself").isTrue();
        assertThat(process.exitValue()).as("exit status, see target/aot-training-it.log").isZero();
        assertThat(output).contains("AOT training done").contains("turn ok");
        assertThat(scratch.resolve("ledger.mv.db")).as("the ledger went to the scratch directory").exists();
    }
}
