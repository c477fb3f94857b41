package dev.parley;

import java.util.function.BiConsumer;

import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * parley's entry point: Quarkus's own, with two things a console needs before logging can help. On a Java older
 * than 21 it says so in one line: without it, the first class of parley's that Quarkus loads fails with an
 * {@code UnsupportedClassVersionError} before logging is set up, and the process exits 1 having printed nothing. And
 * when start-up fails it prints the cause as one plain line on standard error, also when logs are JSON (in
 * production a start-up failure is otherwise one JSON line of several kilobytes with the stack trace in it).
 * <p>
 * Compiled for Java 17 (the pom's {@code launcher} execution), the oldest Java that Quarkus's own launcher runs on,
 * so that this check is reached; it must not refer to any other class of parley's, which are compiled for 21.
 */
@QuarkusMain
public final class Main {

    static final int REQUIRED_JAVA = 21;

    Main() {
    }

    public static void main(String... args) {
        Runtime.Version running = Runtime.version();
        if (running.feature() < REQUIRED_JAVA) {
            System.err.println("parley needs Java " + REQUIRED_JAVA + " or newer; this is Java " + running + " from "
                    + System.getProperty("java.home") + ". Run it with a JDK 21+: \"$JAVA_HOME/bin/java\" -jar ...");
            System.exit(1);
        }
        Quarkus.run(Service.class, Main::exited, args);
    }

    /** Quarkus's own exit handling (which dev mode and the test framework replace), after saying why start-up failed. */
    private static void exited(Integer code, Throwable failure) {
        if (failure != null) {
            System.err.println("parley did not start: " + summary(failure));
        }
        BiConsumer<Integer, Throwable> quarkus = ApplicationLifecycleManager.getDefaultExitCodeHandler();
        quarkus.accept(code, failure);
    }

    /** The innermost cause's message, on one line: the wrappers around it only say "failed to start". */
    static String summary(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage();
        return message.lines().map(String::strip).filter(line -> !line.isEmpty()).reduce((a, b) -> a + " " + b)
                .orElse(cause.getClass().getName());
    }

    /** The service itself: it runs until Quarkus is asked to stop. */
    public static final class Service implements QuarkusApplication {

        @Override
        public int run(String... args) {
            Quarkus.waitForExit();
            return 0;
        }
    }
}
