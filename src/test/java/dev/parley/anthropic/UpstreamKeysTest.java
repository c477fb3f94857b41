package dev.parley.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The upstream keys as configured: named keys, the single key, and both from the environment. */
class UpstreamKeysTest {

    @Test
    void namedKeysComeInNameOrderAndTheSingleKeyIsTheOneNamedDefault() {
        UpstreamKeys keys = new UpstreamKeys(config(Map.of("parley.anthropic.keys.team-b", "sk-b",
                "parley.anthropic.keys.batch", "sk-batch", "parley.anthropic.api-key", "sk-single"), Map.of()));

        assertThat(keys.all()).extracting(UpstreamKey::name).containsExactly("batch", "team-b", "default");
        assertThat(keys.all()).extracting(UpstreamKey::secret).containsExactly("sk-batch", "sk-b", "sk-single");
        assertThat(keys.first().toString()).doesNotContain("sk-");
    }

    @Test
    void theSingleKeyAloneIsTheOneKey() {
        UpstreamKeys keys = new UpstreamKeys(config(Map.of("parley.anthropic.api-key", "sk-single"), Map.of()));

        assertThat(keys.all()).containsExactly(new UpstreamKey("default", "sk-single"));
    }

    @Test
    void keysCanBeSetFromTheEnvironment() {
        UpstreamKeys keys = new UpstreamKeys(config(Map.of(),
                Map.of("PARLEY_ANTHROPIC_KEYS_BATCH", "sk-batch", "ANTHROPIC_API_KEY", "sk-single")));

        assertThat(keys.all()).extracting(UpstreamKey::name).containsExactly("batch", "default");
    }

    @Test
    void aNameThatCannotTagAMetricStopsTheStartUp() {
        assertThatThrownBy(() -> new UpstreamKeys(config(Map.of("parley.anthropic.keys.Team_A", "sk-a"),
                Map.of()))).isInstanceOf(ConfigurationException.class).hasMessageContaining("name");
    }

    private static AnthropicConfig config(Map<String, String> properties, Map<String, String> environment) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of("parley.anthropic.api-key", "${ANTHROPIC_API_KEY:}"),
                        "defaults", 100))
                .withSources(new PropertiesConfigSource(properties, "test", 400))
                .withSources(new EnvConfigSource(environment, 300))
                .withConverter(Duration.class, 100, new DurationConverter())
                .withMapping(AnthropicConfig.class).build();
        return config.getConfigMapping(AnthropicConfig.class);
    }
}
