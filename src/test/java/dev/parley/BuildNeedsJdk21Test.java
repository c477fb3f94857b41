package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.parley.harness.Jdks;

/**
 * README's first command on a machine whose JDK is too old (this one's default {@code java} is 17) fails at once
 * with one line that names the cause and the fix, instead of the compiler's "release version 21 not supported".
 */
class BuildNeedsJdk21Test {

    @Test
    void devModeOnAJdkOlderThan21SaysWhatToDo() throws Exception {
        Path oldJdk = Jdks.olderThan21();
        // JAVA_HOME is the one setting the README tells a newcomer to make; -o: the outer build resolved the plugins.
        ProcessBuilder builder = new ProcessBuilder(List.of("./mvnw", "-o", "-q", "quarkus:dev"))
                .directory(Path.of("").toAbsolutePath().toFile()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().put("JAVA_HOME", oldJdk.toString());
        Process run = builder.start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).as("maven ended").isTrue();

        assertThat(run.exitValue()).isNotZero();
        assertThat(output).contains("parley needs JDK 21 or newer; this build runs on Java")
                .contains("Set JAVA_HOME to a JDK 21+").doesNotContain("release version 21 not supported");
    }
}
