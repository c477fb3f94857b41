package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyConnectException;

/** {@code retry-after-ms} / {@code retry-after} parsing and the SDKs' retry policy (§4). */
class UpstreamErrorsTest {

    @Test
    void retryAfterMsWinsOverRetryAfter() {
        assertThat(UpstreamErrors.retryAfter("250.5", "9")).isEqualTo(Duration.ofNanos(250_500_000));
    }

    @Test
    void retryAfterIsSecondsPossiblyFractional() {
        assertThat(UpstreamErrors.retryAfter(null, "2")).isEqualTo(Duration.ofSeconds(2));
        assertThat(UpstreamErrors.retryAfter(null, "0.5")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void retryAfterMayBeAnHttpDate() {
        String inTenSeconds = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10)
                .format(DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(UpstreamErrors.retryAfter(null, inTenSeconds)).isBetween(Duration.ofSeconds(8),
                Duration.ofSeconds(10));
    }

    @Test
    void garbageRetryAfterIsIgnored() {
        assertThat(UpstreamErrors.retryAfter("soon", "later")).isNull();
    }

    @Test
    void retryPolicyFollowsTheOfficialSdks() {
        assertThat(http(429, null).retryable()).isTrue();
        assertThat(http(529, null).retryable()).isTrue();
        assertThat(http(500, null).retryable()).isTrue();
        assertThat(http(408, null).retryable()).isTrue();
        assertThat(http(409, null).retryable()).isTrue();
        assertThat(http(400, null).retryable()).isFalse();
        assertThat(http(401, null).retryable()).isFalse();
        assertThat(http(404, null).retryable()).isFalse();
        assertThat(http(400, true).retryable()).isTrue();
        assertThat(http(529, false).retryable()).isFalse();
    }

    @Test
    void aProxysAnswerToConnectIsTypedByItsStatusAsAnHttpErrorWouldBe() {
        AnthropicException auth = classified(connectAnswered("407 Proxy Authentication Required"), true);
        AnthropicException policy = classified(connectAnswered("403 Forbidden"), true);
        AnthropicException cannotReach = classified(connectAnswered("502 Bad Gateway"), true);

        assertThat(auth.kind()).isEqualTo(AnthropicException.Kind.PROXY_REFUSED);
        assertThat(auth.status()).isEqualTo(407);
        assertThat(auth.retryable()).isFalse();
        assertThat(policy.kind()).isEqualTo(AnthropicException.Kind.PROXY_REFUSED);
        assertThat(policy.status()).isEqualTo(403);
        assertThat(cannotReach.kind()).isEqualTo(AnthropicException.Kind.PROXY_UNAVAILABLE);
        assertThat(cannotReach.retryable()).isTrue();
        // A forwarding proxy's 407 is an HTTP response; no upstream ever answers 407.
        assertThat(UpstreamErrors.fromResponse(407, name -> null, "<html>").kind())
                .isEqualTo(AnthropicException.Kind.PROXY_REFUSED);
    }

    @Test
    void aConnectionThatCannotBeMadeIsTheProxysWhenThereIsOne() {
        ConnectException refused = new ConnectException("Connection refused: localhost/127.0.0.1:3128");

        assertThat(classified(refused, true).kind()).isEqualTo(AnthropicException.Kind.PROXY_UNAVAILABLE);
        assertThat(classified(refused, true).retryable()).isTrue();
        assertThat(classified(refused, false).kind()).isEqualTo(AnthropicException.Kind.CONNECTION_FAILED);
        assertThat(classified(new ProxyConnectException("proxy timed out"), true).kind())
                .isEqualTo(AnthropicException.Kind.PROXY_UNAVAILABLE);
    }

    @Test
    void aRefusedCertificateFailsTheHandshakeForGoodAndAnyOtherHandshakeFailureMayPass() {
        SSLHandshakeException untrusted = new SSLHandshakeException("PKIX path building failed");
        untrusted.initCause(new CertificateException("unable to find valid certification path"));
        SSLHandshakeException closed = new SSLHandshakeException("Connection closed during the handshake");

        assertThat(classified(untrusted, true).kind()).isEqualTo(AnthropicException.Kind.TLS_FAILED);
        assertThat(classified(untrusted, true).retryable()).isFalse();
        assertThat(classified(new IOException("wrapped", closed), false).kind())
                .isEqualTo(AnthropicException.Kind.TLS_FAILED);
        assertThat(classified(closed, false).retryable()).isTrue();
    }

    private static Throwable connectAnswered(String status) {
        return new HttpProxyHandler.HttpProxyConnectException(
                "http, basic, localhost/127.0.0.1:3128 => api.anthropic.com:443, status: " + status, null);
    }

    private static AnthropicException classified(Throwable failure, boolean proxied) {
        return (AnthropicException) UpstreamErrors.classify(failure, proxied);
    }

    private static AnthropicException http(int status, Boolean shouldRetry) {
        return new AnthropicException(AnthropicException.Kind.HTTP_ERROR, status, null, null, null, null,
                shouldRetry, null);
    }
}
