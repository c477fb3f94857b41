package dev.parley.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The JDKs installed under {@code /usr/lib/jvm}, for tests of what a newcomer with the wrong one meets. */
public final class Jdks {

    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");

    private Jdks() {
    }

    /**
     * A JDK older than 21, as a Debian machine's default {@code java} (17) is. Required, not optional: skipping would
     * hide the very case these tests are for, and CI's machines have one.
     */
    public static Path olderThan21() {
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            return jdks.filter(jdk -> Files.isRegularFile(jdk.resolve("release"))
                    && Files.isExecutable(jdk.resolve("bin/javac"))).filter(jdk -> feature(jdk) < 21).findFirst()
                    .orElseThrow(() -> new AssertionError("this test needs a JDK older than 21 under /usr/lib/jvm "
                            + "(Debian's openjdk-17-jdk), as a newcomer has"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int feature(Path jdk) {
        try {
            Matcher version = JAVA_VERSION.matcher(Files.readString(jdk.resolve("release")));
            return version.find() ? Integer.parseInt(version.group(1)) : Integer.MAX_VALUE;
        } catch (IOException e) {
            return Integer.MAX_VALUE;
        }
    }
}
