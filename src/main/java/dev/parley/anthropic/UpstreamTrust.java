package dev.parley.anthropic;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;

import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.tls.BaseTlsConfiguration;
import io.quarkus.tls.TlsConfiguration;
import io.vertx.core.net.TrustOptions;

/**
 * The CAs the upstream's certificate is checked against when {@code parley.anthropic.trust-store} is set: the JVM's
 * own and the file's, together. Vert.x's PEM trust options would <em>replace</em> the JVM's CAs (a proxy's CA alone
 * would then be trusted, and the real API no longer), so both are put in one store here, once, at start-up.
 */
final class UpstreamTrust {

    static final String KEY = "parley.anthropic.trust-store";

    private final TrustManagerFactory factory;
    private final String file;
    private final int added;

    private UpstreamTrust(TrustManagerFactory factory, String file, int added) {
        this.factory = factory;
        this.file = file;
        this.added = added;
    }

    /**
     * The JVM's CAs plus every certificate of {@code file} (PEM, one or more; DER also reads).
     *
     * @throws ConfigurationException one line naming the key and the file: missing, unreadable, or not certificates
     */
    static UpstreamTrust load(String file) {
        Path path = Path.of(file);
        if (Files.isDirectory(path)) {
            // A mounted Secret or ConfigMap is a directory: the key names the file in it.
            throw invalid(file, "is a directory: name the PEM file in it");
        }
        byte[] pem;
        try {
            pem = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw invalid(file, "does not exist");
        } catch (AccessDeniedException e) {
            throw invalid(file, "cannot be read (permission denied)");
        } catch (IOException e) {
            throw invalid(file, "cannot be read (" + e.getMessage() + ")");
        }
        Collection<? extends Certificate> bundle;
        try {
            bundle = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
        } catch (CertificateException e) {
            throw invalid(file, "is not a PEM file of CA certificates (" + e.getMessage() + ")");
        }
        if (bundle.isEmpty()) {
            throw invalid(file, "holds no certificate");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int entry = 0;
            for (X509Certificate ca : jvmTrust().getAcceptedIssuers()) {
                store.setCertificateEntry("jvm-" + entry++, ca);
            }
            for (Certificate ca : bundle) {
                store.setCertificateEntry("bundle-" + entry++, ca);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            return new UpstreamTrust(factory, file, bundle.size());
        } catch (GeneralSecurityException | IOException e) {
            throw invalid(file, "could not be added to the JVM's CAs (" + e.getMessage() + ")");
        }
    }

    /** For Vert.x's HTTP client (the streamed calls). */
    TrustOptions options() {
        return TrustOptions.wrap(factory);
    }

    /** For the REST client (the one-shot calls): these CAs, host names verified as always. */
    TlsConfiguration tlsConfiguration() {
        return new BaseTlsConfiguration() {
            @Override
            public TrustOptions getTrustStoreOptions() {
                return options();
            }
        };
    }

    /** Every CA this trust accepts, the JVM's included. */
    X509Certificate[] acceptedIssuers() {
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509.getAcceptedIssuers();
            }
        }
        return new X509Certificate[0];
    }

    /** For the start-up line. */
    String describe() {
        return added + " CA certificate" + (added == 1 ? "" : "s") + " of " + file + " besides the JVM's";
    }

    static X509TrustManager jvmTrust() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new KeyStoreException("the JVM has no X.509 trust manager");
    }

    private static ConfigurationException invalid(String file, String why) {
        return new ConfigurationException(KEY + ": " + file + " " + why);
    }
}
