package dev.parley;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Runs every {@code bash} example of README.md that is preceded by a {@code <!-- readme-example: … -->} marker,
 * against the test application, and checks the output contains each {@code expect="…"} string. Keeps the README true.
 */
@QuarkusTest
class ReadmeExamplesTest {

    private static final Pattern EXAMPLE = Pattern
            .compile("<!-- readme-example:(.*?)-->\\s*```bash\\n(.*?)```", Pattern.DOTALL);
    /** {@code expect="…"}, where {@code \"} stands for a quote inside the expected text. */
    private static final Pattern EXPECT = Pattern.compile("expect=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @TestHTTPResource("/")
    URI application;

    record Example(int number, List<String> expectations, String command) {
    }

    @TestFactory
    Stream<DynamicTest> readmeExamplesProduceWhatTheySay() throws IOException {
        List<Example> examples = examples(Files.readString(Path.of("README.md")));
        assertThat(examples).isNotEmpty();
        return examples.stream().map(example -> DynamicTest.dynamicTest(
                "example " + example.number() + ": " + example.command().lines().findFirst().orElse(""),
                () -> run(example)));
    }

    private void run(Example example) throws Exception {
        String base = application.toString().replaceAll("/$", "");
        String command = example.command().replace("http://localhost:8080", base);
        Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("example did not finish in 30 s: " + command);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        for (String expected : example.expectations()) {
            assertThat(output).as(command).contains(expected);
        }
    }

    private static List<Example> examples(String readme) {
        List<Example> examples = new ArrayList<>();
        Matcher matcher = EXAMPLE.matcher(readme);
        while (matcher.find()) {
            List<String> expectations = new ArrayList<>();
            Matcher expect = EXPECT.matcher(matcher.group(1));
            while (expect.find()) {
                expectations.add(expect.group(1).replace("\\\"", "\""));
            }
            examples.add(new Example(examples.size() + 1, expectations, matcher.group(2).trim()));
        }
        return examples;
    }
}
