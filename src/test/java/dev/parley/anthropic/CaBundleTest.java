package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.runtime.configuration.ConfigurationException;

import dev.parley.harness.TestPki;

/**
 * {@code parley.anthropic.trust-store}: its certificates are added to the JVM's CAs, never put in their place, and a
 * file parley cannot use is named in one line with the key.
 */
class CaBundleTest {

    @TempDir
    Path dir;

    @Test
    void everyCertificateOfTheBundleIsTrustedBesidesTheJvmsCas() throws Exception {
        X509Certificate[] jvm = UpstreamTrust.jvmTrust().getAcceptedIssuers();
        Path bundle = dir.resolve("bundle.pem");
        // Two certificates in one file: the test CA, and one the JVM knows anyway.
        Files.writeString(bundle, Files.readString(TestPki.get().caPem()) + pem(jvm[0]));

        UpstreamTrust trust = UpstreamTrust.load(bundle.toString());

        List<String> trusted = Arrays.stream(trust.acceptedIssuers())
                .map(ca -> ca.getSubjectX500Principal().getName()).toList();
        assertThat(jvm).hasSizeGreaterThan(10);
        assertThat(trusted).contains("CN=parley test CA");
        assertThat(trusted).containsAll(Arrays.stream(jvm)
                .map(ca -> ca.getSubjectX500Principal().getName()).toList());
        assertThat(trust.describe()).isEqualTo("2 CA certificates of " + bundle + " besides the JVM's");
    }

    @Test
    void aFileParleyCannotUseFailsTheStartUpInOneLineNamingTheKeyAndTheFile() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        Path garbage = Files.writeString(dir.resolve("garbage.pem"),
                "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
        Path missing = dir.resolve("missing.pem");

        assertThat(failure(missing)).isEqualTo("parley.anthropic.trust-store: " + missing + " does not exist");
        assertThat(failure(dir))
                .isEqualTo("parley.anthropic.trust-store: " + dir + " is a directory: name the PEM file in it");
        assertThat(failure(empty)).isEqualTo("parley.anthropic.trust-store: " + empty + " holds no certificate");
        assertThat(failure(garbage))
                .startsWith("parley.anthropic.trust-store: " + garbage + " is not a PEM file of CA certificates");
        for (Path file : List.of(missing, dir, empty, garbage)) {
            assertThat(failure(file)).doesNotContain("\n");
        }
    }

    private static String failure(Path file) {
        return catchThrowableOfType(ConfigurationException.class, () -> UpstreamTrust.load(file.toString()))
                .getMessage();
    }

    private static String pem(X509Certificate certificate) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }
}
