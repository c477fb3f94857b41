package dev.parley.anthropic;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;

/** Fails start-up with one clear line when a real upstream is configured without a key. */
@Singleton
class ApiKeyCheck {

    void check(@Observes StartupEvent event, AnthropicConfig config) {
        if (!AnthropicConfig.EMBEDDED.equals(config.baseUrl()) && config.apiKey().isEmpty()) {
            throw new ConfigurationException("ANTHROPIC_API_KEY is not set: parley needs an Anthropic API key to call "
                    + config.baseUrl() + " (or set PARLEY_ANTHROPIC_BASE_URL=embedded to use the built-in simulator)");
        }
    }
}
