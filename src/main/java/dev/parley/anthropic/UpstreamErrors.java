package dev.parley.anthropic;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLHandshakeException;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyConnectException;
import io.vertx.core.VertxException;

/**
 * Turns what went wrong upstream into an {@link AnthropicException}: HTTP error responses (of the streamed calls,
 * and of the one-shot call through the REST client's exception mapper), {@code error} events, and transport failures.
 */
final class UpstreamErrors {

    /** Netty's message for a proxy's answer to {@code CONNECT}: "..., status: 407 Proxy Authentication Required". */
    private static final Pattern PROXY_STATUS = Pattern.compile("status: (\\d{3})");
    /** Tree parsing only, so nothing needs registering for native images. */
    private static final ObjectMapper TREES = new ObjectMapper();

    private UpstreamErrors() {
    }

    /** An error response of the REST client (the one-shot call). */
    static AnthropicException fromResponse(Response response) {
        String body;
        try {
            body = response.readEntity(String.class);
        } catch (RuntimeException e) {
            body = null;
        }
        return fromResponse(response.getStatus(), response::getHeaderString, body);
    }

    /**
     * An error response: its status, its headers by (case-insensitive) name, and its body as read. A 407 can only
     * be an egress proxy's (one that forwards the requests to an {@code http} upstream).
     */
    static AnthropicException fromResponse(int status, Function<String, String> headers, String body) {
        if (status == 407) {
            return AnthropicException.proxy(status, null);
        }
        String type = null;
        String message = null;
        String requestId = headers.apply("request-id");
        try {
            JsonNode json = TREES.readTree(body == null ? "" : body);
            if (json != null) {
                type = text(json.path("error").path("type"));
                message = text(json.path("error").path("message"));
                if (requestId == null) {
                    requestId = text(json.path("request_id"));
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not JSON (a proxy's HTML page, say): the status alone has to do.
        }
        String shouldRetry = headers.apply("x-should-retry");
        return new AnthropicException(AnthropicException.Kind.HTTP_ERROR, status, type, message, requestId,
                retryAfter(headers.apply("retry-after-ms"), headers.apply("retry-after")),
                shouldRetry == null ? null : Boolean.parseBoolean(shouldRetry.trim()), null)
                .withRateLimits(UpstreamRateLimits.from(headers, java.time.Instant.now()));
    }

    static AnthropicException fromStreamError(StreamEvent.Error error) {
        ErrorBody.Detail detail = error.error();
        return new AnthropicException(AnthropicException.Kind.STREAM_ERROR, 200,
                detail == null ? null : detail.type(), detail == null ? null : detail.message(), error.requestId(),
                null, null, null);
    }

    /** Any failure of a call made directly, typed: an {@link AnthropicException} stays as it is. */
    static Throwable classify(Throwable failure) {
        return classify(failure, false);
    }

    /**
     * Any failure of a call, typed: an {@link AnthropicException} stays as it is. Through an egress proxy
     * ({@code proxied}) a connection that cannot be made is the proxy's: parley connects to nothing else.
     */
    static Throwable classify(Throwable failure, boolean proxied) {
        if (failure instanceof AnthropicException) {
            return failure;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof AnthropicException anthropic) {
                return anthropic;
            }
            if (cause instanceof HttpProxyHandler.HttpProxyConnectException answered) {
                // The proxy answered the tunnel's CONNECT with an error status, which Netty keeps in the message.
                Matcher status = PROXY_STATUS.matcher(String.valueOf(answered.getMessage()));
                return AnthropicException.proxy(status.find() ? Integer.parseInt(status.group(1)) : 0, failure);
            }
            if (cause instanceof ProxyConnectException) {
                return AnthropicException.proxy(0, failure);
            }
            if (cause instanceof SSLHandshakeException) {
                return AnthropicException.tls(failure, certificateRefused(cause));
            }
            if (cause instanceof ConnectException || cause instanceof UnknownHostException) {
                return proxied
                        ? AnthropicException.proxy(0, failure)
                        : AnthropicException.transport(AnthropicException.Kind.CONNECTION_FAILED, failure);
            }
            if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
                return AnthropicException.transport(AnthropicException.Kind.TIMEOUT, failure);
            }
        }
        if (failure instanceof IOException || failure instanceof VertxException
                || failure instanceof jakarta.ws.rs.ProcessingException) {
            return AnthropicException.transport(AnthropicException.Kind.INTERRUPTED, failure);
        }
        return failure;
    }

    /** {@code retry-after-ms} (milliseconds), else {@code retry-after} as seconds or an HTTP date (§4). */
    static Duration retryAfter(String retryAfterMs, String retryAfter) {
        if (retryAfterMs != null) {
            try {
                return Duration.ofNanos(Math.round(Double.parseDouble(retryAfterMs.trim()) * 1_000_000));
            } catch (NumberFormatException e) {
                // fall through to retry-after
            }
        }
        if (retryAfter == null) {
            return null;
        }
        try {
            return Duration.ofNanos(Math.round(Double.parseDouble(retryAfter.trim()) * 1_000_000_000));
        } catch (NumberFormatException e) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(retryAfter.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return wait.isNegative() ? Duration.ZERO : wait;
            } catch (DateTimeParseException unparseable) {
                return null;
            }
        }
    }

    /** The handshake failed on the certificate (untrusted, expired, another host's), not on the connection. */
    private static boolean certificateRefused(Throwable handshake) {
        for (Throwable cause = handshake; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException || cause instanceof CertPathBuilderException
                    || cause instanceof CertPathValidatorException) {
                return true;
            }
        }
        // The JDK names the certificate even when it keeps the cause to itself.
        String message = String.valueOf(handshake.getMessage());
        return message.contains("PKIX") || message.contains("certificate");
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? node.asText() : null;
    }
}
