package dev.parley.anthropic;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.vertx.core.http.HttpClientOptions;

/**
 * How the upstream's connections are made, the same for streamed and one-shot calls: through an egress proxy or
 * directly, and with which CAs its TLS is checked. Resolved once from the configuration and the environment.
 *
 * @param reason why the route is what it is, for the start-up line (never a credential)
 */
record UpstreamRoute(Optional<EgressProxy> proxy, Optional<UpstreamTrust> trust, String reason) {

    /**
     * The route to {@code config}'s upstream; the embedded simulator is this very process, never proxied.
     * {@code environment} returns an environment variable's value, or null.
     *
     * @throws io.quarkus.runtime.configuration.ConfigurationException a proxy URL or CA file parley cannot use
     */
    static UpstreamRoute of(AnthropicConfig config, UnaryOperator<String> environment) {
        Optional<UpstreamTrust> trust = config.trustStore().filter(file -> !file.isBlank()).map(UpstreamTrust::load);
        if (AnthropicConfig.EMBEDDED.equals(config.baseUrl())) {
            return new UpstreamRoute(Optional.empty(), trust, "the embedded simulator");
        }
        EgressProxy.Decision decision = EgressProxy.resolve(URI.create(config.baseUrl()), config.proxy(),
                environment);
        return new UpstreamRoute(decision.proxy(), trust, decision.reason());
    }

    /** Streamed calls: the proxy, and the CAs when the upstream speaks TLS. */
    void configure(HttpClientOptions options, Duration connectTimeout) {
        proxy.ifPresent(egress -> options.setProxyOptions(egress.options(connectTimeout)));
        if (options.isSsl()) {
            trust.ifPresent(cas -> options.setTrustOptions(cas.options()));
        }
    }

    /**
     * One-shot calls: the same proxy and CAs. Without a proxy the client is told so, or it would fall back to
     * {@code quarkus.rest-client.proxy-address} and the JVM's {@code https.proxyHost}, which streamed calls ignore.
     */
    QuarkusRestClientBuilder configure(QuarkusRestClientBuilder builder, boolean tls, Duration connectTimeout) {
        if (proxy.isPresent()) {
            EgressProxy egress = proxy.get();
            builder.proxyAddress(egress.host(), egress.port()).proxyConnectTimeout(connectTimeout);
            if (egress.username() != null) {
                builder.proxyUser(egress.username()).proxyPassword(egress.password());
            }
        } else {
            builder.proxyAddress("none", 0);
        }
        if (tls) {
            trust.ifPresent(cas -> builder.tlsConfiguration(cas.tlsConfiguration()));
        }
        return builder;
    }

    /** The start-up line's words: where connections go and which CAs are trusted, credentials left out. */
    String describe(URI upstream) {
        String via = proxy.map(egress -> "through the proxy " + egress + " (" + reason + ")")
                .orElse("directly (" + reason + ")");
        return "upstream " + upstream + " " + via
                + trust.map(cas -> ", trusting the " + cas.describe()).orElse("");
    }
}
