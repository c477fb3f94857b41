package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Which proxy the upstream's connections use: the keys over the conventional variables, the scheme's variable, the
 * no-proxy list as curl reads it, and credentials that never show.
 */
class EgressProxyResolutionTest {

    private static final URI API = URI.create("https://api.anthropic.com");

    @Test
    void theKeyWinsOverTheEnvironment() {
        EgressProxy.Decision decision = EgressProxy.resolve(API, settings("http://chosen:8080", null),
                Map.of("HTTPS_PROXY", "http://ignored:3128")::get);

        assertThat(decision.proxy()).hasValueSatisfying(proxy -> {
            assertThat(proxy.host()).isEqualTo("chosen");
            assertThat(proxy.port()).isEqualTo(8080);
            assertThat(proxy.source()).isEqualTo("parley.anthropic.proxy.url");
        });
    }

    @Test
    void anHttpsUpstreamReadsHttpsProxyAndAnHttpOneHttpProxyLowerCaseFirst() {
        Map<String, String> environment = Map.of("https_proxy", "http://lower:1", "HTTPS_PROXY", "http://upper:2",
                "HTTP_PROXY", "http://plain:3");

        assertThat(EgressProxy.resolve(API, settings(null, null), environment::get).proxy())
                .map(EgressProxy::host).contains("lower");
        assertThat(EgressProxy.resolve(URI.create("http://sim.internal:8080"), settings(null, null),
                environment::get).proxy()).map(EgressProxy::host).contains("plain");
        assertThat(EgressProxy.resolve(API, settings(null, null), Map.of("HTTP_PROXY", "http://plain:3")::get)
                .proxy()).isEmpty();
    }

    @Test
    void noneTurnsTheEnvironmentsProxyOff() {
        assertThat(EgressProxy.resolve(API, settings("none", null), Map.of("HTTPS_PROXY", "http://p:3128")::get)
                .proxy()).isEmpty();
    }

    @Test
    void noProxyFromTheKeyOrElseTheEnvironmentBypassesTheProxy() {
        Map<String, String> environment = Map.of("HTTPS_PROXY", "http://p:3128", "NO_PROXY", ".anthropic.com");

        EgressProxy.Decision fromEnvironment = EgressProxy.resolve(API, settings(null, null), environment::get);
        EgressProxy.Decision fromKey = EgressProxy.resolve(API, settings(null, "example.com"), environment::get);

        assertThat(fromEnvironment.proxy()).isEmpty();
        assertThat(fromEnvironment.reason()).isEqualTo("NO_PROXY names api.anthropic.com");
        assertThat(fromKey.proxy()).isPresent();
    }

    @Test
    void noProxyEntriesMatchAsCurlReadsThem() {
        assertThat(EgressProxy.bypasses("anthropic.com", "api.anthropic.com", 443)).isTrue();
        assertThat(EgressProxy.bypasses(".anthropic.com", "anthropic.com", 443)).isTrue();
        assertThat(EgressProxy.bypasses("*.Anthropic.COM", "api.anthropic.com.", 443)).isTrue();
        assertThat(EgressProxy.bypasses("*", "anything", 443)).isTrue();
        assertThat(EgressProxy.bypasses("a.example, api.anthropic.com:443", "api.anthropic.com", 443)).isTrue();
        assertThat(EgressProxy.bypasses("10.0.0.0/8", "10.1.2.3", 80)).isTrue();
        assertThat(EgressProxy.bypasses("[::1]:8443", "[0:0:0:0:0:0:0:1]", 8443)).isTrue();

        assertThat(EgressProxy.bypasses("anthropic.com", "notanthropic.com", 443)).isFalse();
        assertThat(EgressProxy.bypasses("api.anthropic.com:8443", "api.anthropic.com", 443)).isFalse();
        assertThat(EgressProxy.bypasses("10.0.0.0/8", "11.1.2.3", 80)).isFalse();
        // Names are never resolved: a range matches an upstream given by address only.
        assertThat(EgressProxy.bypasses("127.0.0.0/8", "localhost", 80)).isFalse();
        assertThat(EgressProxy.bypasses("", "api.anthropic.com", 443)).isFalse();
    }

    @Test
    void credentialsArePercentDecodedAndNeverShown() {
        EgressProxy proxy = EgressProxy.parse("http://svc%40corp:p%3Ass+w0rd@proxy.corp:3128/", "HTTPS_PROXY");

        assertThat(proxy.username()).isEqualTo("svc@corp");
        assertThat(proxy.password()).isEqualTo("p:ss+w0rd");
        assertThat(proxy).hasToString("http://proxy.corp:3128");
        assertThat(new UpstreamRoute(Optional.of(proxy), Optional.empty(), "from HTTPS_PROXY").describe(API))
                .isEqualTo("upstream https://api.anthropic.com through the proxy http://proxy.corp:3128 "
                        + "(from HTTPS_PROXY)")
                .doesNotContain("p:ss", "svc");
        assertThat(EgressProxy.parse("proxy.corp", "HTTPS_PROXY").port()).isEqualTo(80);
    }

    @Test
    void aProxyUrlParleyCannotUseFailsInOneLineThatDoesNotRepeatIt() {
        ConfigurationException socks = catchThrowableOfType(ConfigurationException.class,
                () -> EgressProxy.parse("socks5://user:hunter22@proxy:1080", "parley.anthropic.proxy.url"));
        ConfigurationException unencoded = catchThrowableOfType(ConfigurationException.class,
                () -> EgressProxy.parse("http://user:hun@ter22@proxy:3128", "HTTPS_PROXY"));

        assertThat(socks.getMessage()).startsWith("parley.anthropic.proxy.url uses socks5://")
                .doesNotContain("hunter22").doesNotContain("\n");
        assertThat(unencoded.getMessage()).startsWith("HTTPS_PROXY names no host").doesNotContain("ter22");
    }

    private static AnthropicConfig.ProxySettings settings(String url, String noProxy) {
        return new AnthropicConfig.ProxySettings() {
            @Override
            public Optional<String> url() {
                return Optional.ofNullable(url);
            }

            @Override
            public Optional<String> noProxy() {
                return Optional.ofNullable(noProxy);
            }
        };
    }
}
