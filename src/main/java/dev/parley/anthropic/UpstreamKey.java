package dev.parley.anthropic;

/**
 * One API key parley may call the upstream with: its name (configuration's, safe to log and to tag metrics with) and
 * its secret (sent as {@code x-api-key}, never logged: {@link #toString()} leaves it out).
 */
public record UpstreamKey(String name, String secret) {

    @Override
    public String toString() {
        return "UpstreamKey[" + name + "]";
    }
}
