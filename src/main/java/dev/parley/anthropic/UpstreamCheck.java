package dev.parley.anthropic;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;

/** Refuses, in one line at start-up, an upstream configuration that cannot work. */
@Singleton
class UpstreamCheck {

    void check(@Observes StartupEvent event, AnthropicConfig config) {
        if (config.embedded()) {
            // Unset, the simulator follows the base URL (SimulatorConfig#enabled); switched off, nothing would answer.
            boolean simulatorOff = ConfigProvider.getConfig()
                    .getOptionalValue("parley.simulator.enabled", Boolean.class).filter(on -> !on).isPresent();
            if (simulatorOff) {
                throw new ConfigurationException("PARLEY_ANTHROPIC_BASE_URL=embedded calls the built-in simulator, "
                        + "but PARLEY_SIMULATOR_ENABLED=false switches it off: unset one of the two");
            }
        } else if (config.apiKey().filter(key -> !key.isBlank()).isEmpty() && config.keys().isEmpty()) {
            throw new ConfigurationException("ANTHROPIC_API_KEY is not set: parley needs an Anthropic API key to call "
                    + config.baseUrl() + " (or set PARLEY_ANTHROPIC_BASE_URL=embedded to use the built-in simulator)");
        }
    }
}
