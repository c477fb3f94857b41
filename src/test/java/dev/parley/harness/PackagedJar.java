package dev.parley.harness;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;

/**
 * A test that starts {@code target/quarkus-app/quarkus-run.jar} itself, as processes of its own ({@link ParleyProcess}),
 * rather than testing whichever artifact the build made through {@code @QuarkusIntegrationTest}. The native pass
 * (README "Native") builds no jar and leaves these out ({@code excludedGroups}); the JVM suite runs them.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Tag(PackagedJar.TAG)
public @interface PackagedJar {

    String TAG = "packaged-jar";
}
