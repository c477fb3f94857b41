package dev.parley.chat;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;

import dev.parley.usage.Pricing;

/**
 * At start-up, warns once for each assistant profile whose model has no configured price. Such a profile still
 * serves, but its turns' cost is unknown and a caller with a budget is refused it ({@code model_unpriced}): the
 * operator should hear that when the service starts, not from the first refused caller. It lives in {@code chat}
 * because it needs both the profiles and the price table, and {@code usage} must not depend on {@code chat}.
 */
@Startup
@ApplicationScoped
public class ProfilePricingCheck {

    private final List<AssistantProfile> unpriced;

    ProfilePricingCheck(AssistantProfiles profiles, Pricing pricing) {
        // Pricing.price is a plain lookup: the check neither logs Pricing's own unknown-model warning nor counts
        // parley.pricing.unknown.model, which are about turns actually priced.
        this.unpriced = profiles.all().stream()
                .filter(profile -> pricing.price(profile.model()).isEmpty())
                .toList();
        unpriced.forEach(ProfilePricingCheck::warn);
    }

    /** The profiles whose model has no price, {@code default} first, then by name. */
    public List<AssistantProfile> unpricedProfiles() {
        return unpriced;
    }

    private static void warn(AssistantProfile profile) {
        Log.warnf("Assistant profile '%s' uses model '%s', which has no configured price: its turns' cost will be"
                + " unknown and callers with a budget will be refused (model_unpriced); configure"
                + " parley.pricing.models.%s.*", profile.name(), profile.model(), profile.model());
    }
}
