package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretRedactorTest {

    private final SecretRedactor redactor = new SecretRedactor("my-configured-key-123");

    @Test
    void theConfiguredKeyAnthropicShapedKeysAndBearerTokensAreRedacted() {
        assertThat(redactor.redact("invalid x-api-key my-configured-key-123"))
                .isEqualTo("invalid x-api-key [redacted]");
        assertThat(redactor.redact("key sk-ant-api03-AbC_dEf-123 is revoked")).isEqualTo("key [redacted] is revoked");
        assertThat(redactor.redact("Authorization: Bearer abc.DEF-ghi/jk="))
                .isEqualTo("Authorization: Bearer [redacted]");
        assertThat(redactor.redact("authorization=bearer:tok12345")).isEqualTo("authorization=bearer:[redacted]");
    }

    @Test
    void everyConfiguredSecretIsRedactedTheProxysCredentialsToo() {
        SecretRedactor secrets = new SecretRedactor("my-configured-key-123", "proxy-password-9",
                "cGFybGV5OnByb3h5LXBhc3N3b3JkLTk=", null);

        assertThat(secrets.redact("key my-configured-key-123, proxy-password-9 as cGFybGV5OnByb3h5LXBhc3N3b3JkLTk="))
                .isEqualTo("key [redacted], [redacted] as [redacted]");
    }

    @Test
    void ordinaryTextIsLeftAlone() {
        assertThat(redactor.redact("messages.0.content: Field required"))
                .isEqualTo("messages.0.content: Field required");
        assertThat(redactor.redact((String) null)).isNull();
    }

    @Test
    void aConfiguredKeyTooShortToBeSecretIsNotSearchedFor() {
        assertThat(new SecretRedactor("key").redact("the key is wrong")).isEqualTo("the key is wrong");
    }

    @Test
    void anUpstreamFailureIsCopiedWithItsTextsRedacted() {
        AnthropicException failure = UpstreamErrors.fromResponse(400, name -> null,
                "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":\"bad sk-ant-xyz99\"},"
                        + "\"request_id\":\"req_1\"}");

        AnthropicException redacted = (AnthropicException) redactor.redacted(failure);

        assertThat(redacted.upstreamMessage()).contains("bad [redacted]");
        assertThat(redacted.errorType()).contains("invalid_request_error");
        assertThat(redacted.status()).isEqualTo(400);
        assertThat(redacted.requestId()).contains("req_1");
        assertThat(redacted.retryable()).isEqualTo(failure.retryable());
        assertThat(redactor.redacted(new IllegalStateException("x"))).isInstanceOf(IllegalStateException.class);
    }
}
