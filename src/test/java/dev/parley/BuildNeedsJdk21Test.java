package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * README's first command on a machine whose JDK is too old (this one's default {@code java} is 17) fails at once
 * with one line that names the cause and the fix, instead of the compiler's "release version 21 not supported".
 */
class BuildNeedsJdk21Test {

    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    @Test
    void devModeOnAJdkOlderThan21SaysWhatToDo() throws Exception {
        Path oldJdk = jdkOlderThan21().orElseThrow(() -> new AssertionError(
                "this test needs a JDK older than 21 under /usr/lib/jvm (Debian's openjdk-17-jdk), as a newcomer has"));
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

    private static Optional<Path> jdkOlderThan21() throws IOException {
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            return jdks.filter(jdk -> Files.isRegularFile(jdk.resolve("release"))
                    && Files.isExecutable(jdk.resolve("bin/javac"))).filter(jdk -> {
                        try {
                            Matcher version = JAVA_VERSION.matcher(Files.readString(jdk.resolve("release")));
                            return version.find() && Integer.parseInt(version.group(1)) < 21;
                        } catch (IOException e) {
                            return false;
                        }
                    }).findFirst();
        }
    }
}
