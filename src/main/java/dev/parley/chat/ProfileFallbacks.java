package dev.parley.chat;

import java.util.ArrayList;
import java.util.List;

import dev.parley.chat.AssistantProfile.FallbackModel;
import dev.parley.usage.Pricing;

/**
 * Reads a profile's own fallback ({@code fallback-models}, {@code fallback-on-overload}), refusing at start-up, in one
 * line naming the property, a chain parley could not serve: an unknown model (one without a price: its rounds' cost
 * would be unknown, and a budget could not bound them), the profile's own model, a model twice, or settings of the
 * profile (thinking, effort) that a fallback model refuses, which would turn an outage into a 400.
 */
final class ProfileFallbacks {

    /** A chain this long already tries four models, each with its retries, within one turn's deadline. */
    private static final int MAX_FALLBACK_MODELS = 3;

    private ProfileFallbacks() {
    }

    static List<FallbackModel> models(String name, AssistantsConfig.Profile profile, Pricing pricing) {
        String key = "parley.assistants." + name + ".fallback-models";
        List<String> models = profile.fallbackModels().orElse(List.of()).stream().map(String::strip)
                .filter(model -> !model.isEmpty()).toList();
        if (models.size() > MAX_FALLBACK_MODELS) {
            throw new IllegalStateException(key + " names " + models.size() + " models; at most "
                    + MAX_FALLBACK_MODELS + " are tried");
        }
        List<FallbackModel> chain = new ArrayList<>();
        for (String model : models) {
            if (model.equals(profile.model())) {
                throw new IllegalStateException(key + " names the profile's own model " + model);
            }
            if (chain.stream().anyMatch(earlier -> earlier.model().equals(model))) {
                throw new IllegalStateException(key + " names " + model + " twice");
            }
            if (pricing.price(model).isEmpty()) {
                throw new IllegalStateException(key + " names " + model + ", which is not a model parley knows (it has"
                        + " no price: configure parley.pricing.models." + model + ".*)");
            }
            try {
                chain.add(new FallbackModel(model, ProfileThinking.thinking(name, profile, model),
                        ProfileThinking.effort(name, profile, model)));
            } catch (IllegalStateException refused) {
                throw new IllegalStateException(key + " names " + model + ", which refuses this profile's settings: "
                        + refused.getMessage(), refused);
            }
        }
        return chain;
    }

    /** Whether an overloaded model hands its round on at once ({@code immediately}) or after its retries. */
    static boolean atOnceOnOverload(String name, AssistantsConfig.Profile profile) {
        return switch (profile.fallbackOnOverload().strip()) {
            case "after-retries" -> false;
            case "immediately" -> true;
            default -> throw new IllegalStateException("parley.assistants." + name + ".fallback-on-overload is "
                    + "after-retries or immediately, not " + profile.fallbackOnOverload());
        };
    }
}
