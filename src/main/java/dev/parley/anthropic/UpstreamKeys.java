package dev.parley.anthropic;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * The API keys parley calls the upstream with, each with rate limits of its own: the named keys of
 * {@code parley.anthropic.keys.<name>} (in name order), and {@code parley.anthropic.api-key}, when set, as the key
 * named {@value #SINGLE}. An embedded upstream is called with the simulator's own keys only (its
 * {@code parley.simulator.api-key}, named {@value #SIMULATOR}, then each of {@code parley.simulator.extra-api-keys},
 * named {@code simulator-2}, {@code simulator-3}, …), so that a real key configured beside it is never sent anywhere.
 * Read once at start-up: adding or retiring a key is a (rolling) restart.
 */
@ApplicationScoped
public class UpstreamKeys {

    /** The name of {@code parley.anthropic.api-key}. */
    public static final String SINGLE = "default";
    /** The name of the embedded simulator's own key. */
    public static final String SIMULATOR = "simulator";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

    private final List<UpstreamKey> keys;

    UpstreamKeys(AnthropicConfig config) {
        this.keys = List.copyOf(config.embedded() ? simulatorKeys() : configured(config));
    }

    /** Every key, in the order admission prefers them when they have as much room. Never empty. */
    public List<UpstreamKey> all() {
        return keys;
    }

    /** The first key: for calls that no rate limit counts (token counts, the model catalog). */
    public UpstreamKey first() {
        return keys.getFirst();
    }

    /** The secrets, for redacting them from whatever the upstream answers. */
    String[] secrets() {
        return keys.stream().map(UpstreamKey::secret).toArray(String[]::new);
    }

    private static List<UpstreamKey> configured(AnthropicConfig config) {
        List<UpstreamKey> keys = new ArrayList<>();
        Map<String, String> named = new TreeMap<>(config.keys());
        named.forEach((name, secret) -> {
            if (!NAME.matcher(name).matches()) {
                throw new ConfigurationException("parley.anthropic.keys." + name + ": a key's name is up to 32 "
                        + "lower-case letters, digits and dashes (it tags metrics)");
            }
            if (secret.isBlank()) {
                throw new ConfigurationException("parley.anthropic.keys." + name + " is empty");
            }
            keys.add(new UpstreamKey(name, secret.strip()));
        });
        config.apiKey().filter(key -> !key.isBlank()).ifPresent(secret -> {
            if (named.containsKey(SINGLE)) {
                throw new ConfigurationException("parley.anthropic.keys." + SINGLE + " and parley.anthropic.api-key "
                        + "are both set: the single key is the one named " + SINGLE + "; keep one of the two");
            }
            keys.add(new UpstreamKey(SINGLE, secret.strip()));
        });
        if (keys.isEmpty()) {
            // UpstreamCheck refuses this at start-up; the bean still exists for the check to run.
            keys.add(new UpstreamKey(SINGLE, ""));
        }
        return keys;
    }

    private static List<UpstreamKey> simulatorKeys() {
        var config = ConfigProvider.getConfig();
        List<UpstreamKey> keys = new ArrayList<>();
        keys.add(new UpstreamKey(SIMULATOR, config.getOptionalValue("parley.simulator.api-key", String.class)
                .orElse("parley-simulator-key")));
        List<String> extra = config.getOptionalValues("parley.simulator.extra-api-keys", String.class)
                .orElse(List.of());
        for (int i = 0; i < extra.size(); i++) {
            keys.add(new UpstreamKey(SIMULATOR + "-" + (i + 2), extra.get(i)));
        }
        return keys;
    }
}
