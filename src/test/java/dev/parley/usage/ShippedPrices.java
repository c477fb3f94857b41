package dev.parley.usage;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** The price table shipped in application.properties, read through the real configuration mapping. */
public final class ShippedPrices {

    private ShippedPrices() {
    }

    static PricingConfig table() {
        try {
            // The main configuration itself: on the test class path, src/test/resources has an application.properties
            // too.
            URL properties = Path.of("src/main/resources/application.properties").toUri().toURL();
            SmallRyeConfig config = new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties))
                    .withMapping(PricingConfig.class).build();
            return config.getConfigMapping(PricingConfig.class);
        } catch (IOException e) {
            throw new IllegalStateException("the shipped configuration cannot be read", e);
        }
    }

    /** Prices from the shipped table. */
    public static Pricing pricing() {
        return new Pricing(table(), new SimpleMeterRegistry());
    }
}
