package dev.parley.tool;

import static dev.parley.tool.TestTools.call;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import dev.parley.tool.TestTools.Limits;

/**
 * The tool example of README.md ("Adding a tool") compiles as written, registers, has the schema the README shows, and
 * answers calls, so the README never teaches something that does not work.
 */
class ReadmeToolExampleTest {

    private static final Pattern EXAMPLE = Pattern.compile("<!-- readme-tool-example -->\\s*```java\\n(.*?)```",
            Pattern.DOTALL);
    private static final Pattern SHOWN_SCHEMA = Pattern.compile("The model is offered `roll_dice` with the schema\\s*"
            + "`([^`]+)`");

    @TempDir
    Path work;

    @Test
    void theExampleToolCompilesRegistersAndAnswers() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher example = EXAMPLE.matcher(readme);
        assertThat(example.find()).as("a readme-tool-example block").isTrue();
        Tool<?> tool = compile(example.group(1), "com.example.tools.DiceTool");
        ToolRegistry registry = TestTools.registry(Limits.defaults(), new SimpleMeterRegistry(), tool);
        try {
            Matcher schema = SHOWN_SCHEMA.matcher(readme);
            assertThat(schema.find()).as("the schema shown in the README").isTrue();
            assertThat(registry.spec("roll_dice").orElseThrow().inputSchema())
                    .isEqualTo(TestTools.json(schema.group(1)));

            assertThat(invoke(registry, call("roll_dice", "{\"count\":3}")).content()).matches("\\[[1-6],[1-6],[1-6]]");
            assertThat(invoke(registry, call("roll_dice", "{\"count\":2,\"sides\":null}")).content())
                    .matches("\\[[1-6],[1-6]]");
            assertThat(invoke(registry, call("roll_dice", "{\"count\":1,\"sides\":2}")).content()).matches("\\[[12]]");
            ToolResult tooMany = invoke(registry, call("roll_dice", "{\"count\":11}"));
            assertThat(tooMany.isError()).isTrue();
            assertThat(tooMany.content()).isEqualTo("count must be 1 to 10 and sides 2 to 100");
            assertThat(invoke(registry, call("roll_dice", "{}")).content())
                    .isEqualTo("Invalid input for roll_dice: missing required property 'count'");
        } finally {
            registry.close();
        }
    }

    private static ToolResult invoke(ToolRegistry registry, ToolCall call) {
        return registry.invoke(call).await().atMost(Duration.ofSeconds(5));
    }

    private Tool<?> compile(String source, String className) throws Exception {
        Path file = work.resolve("src").resolve(className.replace('.', '/') + ".java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, source);
        Path classes = Files.createDirectories(work.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = javac.run(null, errors, errors, "-proc:none", "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), file.toString());
        assertThat(status).as(errors.toString(StandardCharsets.UTF_8)).isZero();
        URLClassLoader loader = new URLClassLoader(new URL[]{classes.toUri().toURL()}, getClass().getClassLoader());
        return (Tool<?>) loader.loadClass(className).getDeclaredConstructor().newInstance();
    }
}
