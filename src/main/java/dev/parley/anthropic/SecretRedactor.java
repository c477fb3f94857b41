package dev.parley.anthropic;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes secrets out of what the upstream said before anything logs it: an error message may echo a header or the
 * request, and with it parley's own API key or someone's token. Removed are the configured secrets themselves (the
 * key; the egress proxy's password and its {@code Basic} credentials) and anything shaped like an Anthropic key
 * ({@code sk-ant-...}) or a bearer token.
 */
final class SecretRedactor {

    static final String REDACTED = "[redacted]";
    /** A configured key shorter than this is not searched for: replacing it would mangle ordinary words. */
    private static final int SHORTEST_KEY = 8;
    private static final Pattern SHAPED = Pattern.compile(
            "sk-ant-[A-Za-z0-9_\\-]+|(?i)(?<=bearer[\\s:=]{1,3})[A-Za-z0-9._~+/=\\-]{4,}");

    private final List<String> secrets;

    /** {@code secrets}: the configured ones, any of them null or too short to search for. */
    SecretRedactor(String... secrets) {
        this.secrets = Arrays.stream(secrets).filter(secret -> secret != null && secret.length() >= SHORTEST_KEY)
                .toList();
    }

    String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String redacted = text;
        for (String secret : secrets) {
            redacted = redacted.replace(secret, REDACTED);
        }
        Matcher shaped = SHAPED.matcher(redacted);
        return shaped.find() ? shaped.replaceAll(REDACTED) : redacted;
    }

    /** An upstream failure with its texts redacted; any other failure as it is. */
    Throwable redacted(Throwable failure) {
        return failure instanceof AnthropicException upstream ? upstream.redacted(this::redact) : failure;
    }
}
