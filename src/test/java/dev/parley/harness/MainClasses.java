package dev.parley.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The classes of {@code src/main} in a package and its subpackages, found in Maven's output directory, so that
 * tests can check "every resource" or "every configuration mapping" without a list that could fall behind.
 */
public final class MainClasses {

    private static final Path CLASSES = Path.of("target", "classes");

    private MainClasses() {
    }

    /** The top-level and nested classes under {@code packageName}, loaded without initialising them. */
    public static List<Class<?>> in(String packageName) {
        Path root = CLASSES.resolve(packageName.replace('.', '/'));
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.toString().endsWith(".class"))
                    .map(file -> CLASSES.relativize(file).toString())
                    .map(name -> name.substring(0, name.length() - ".class".length()).replace('/', '.'))
                    .sorted()
                    .<Class<?>>map(MainClasses::load)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException(e);
        }
    }
}
