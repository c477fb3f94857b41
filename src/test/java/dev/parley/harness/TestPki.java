package dev.parley.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made for this test run with the JDK's {@code keytool}, as an operator's would be: a CA
 * certificate (PEM, what a Kubernetes Secret holds) and a server key store (PKCS12) whose certificate that CA signed
 * for {@code localhost} and {@code 127.0.0.1}. Made once per JVM, in {@code target/}.
 *
 * @param caPem the CA's certificate, PEM
 * @param serverKeyStore the server's key and certificate chain, PKCS12, password {@link #PASSWORD}
 */
public record TestPki(Path caPem, Path serverKeyStore) {

    public static final String PASSWORD = "test-pki-password";

    /** The authority of this JVM, made on first use. */
    public static synchronized TestPki get() {
        Path dir = Path.of("target", "test-pki-" + ProcessHandle.current().pid()).toAbsolutePath();
        TestPki pki = new TestPki(dir.resolve("ca.pem"), dir.resolve("server.p12"));
        if (!Files.exists(pki.serverKeyStore())) {
            make(dir);
        }
        return pki;
    }

    private static void make(Path dir) {
        try {
            Files.createDirectories(dir);
            Path ca = dir.resolve("ca.p12");
            keytool("-genkeypair", "-alias", "ca", "-dname", "CN=parley test CA", "-ext", "bc:c", "-keyalg", "EC",
                    "-validity", "30", "-keystore", ca.toString(), "-storepass", PASSWORD, "-storetype", "PKCS12");
            keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD,
                    "-file", dir.resolve("ca.pem").toString());
            Path server = dir.resolve("server-building.p12");
            keytool("-genkeypair", "-alias", "server", "-dname", "CN=localhost", "-keyalg", "EC", "-validity", "30",
                    "-keystore", server.toString(), "-storepass", PASSWORD, "-storetype", "PKCS12");
            keytool("-certreq", "-alias", "server", "-keystore", server.toString(), "-storepass", PASSWORD,
                    "-file", dir.resolve("server.csr").toString());
            keytool("-gencert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD,
                    "-infile", dir.resolve("server.csr").toString(), "-outfile",
                    dir.resolve("server.pem").toString(), "-validity", "30",
                    "-ext", "san=dns:localhost,ip:127.0.0.1", "-ext", "eku=serverAuth");
            keytool("-importcert", "-noprompt", "-alias", "ca", "-keystore", server.toString(), "-storepass",
                    PASSWORD, "-file", dir.resolve("ca.pem").toString());
            keytool("-importcert", "-alias", "server", "-keystore", server.toString(), "-storepass", PASSWORD,
                    "-file", dir.resolve("server.pem").toString());
            Files.move(server, dir.resolve("server.p12"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void keytool(String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + arguments[0] + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while keytool ran", e);
        }
    }
}
