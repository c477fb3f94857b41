package dev.parley.chat;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.parley.anthropic.ModelRules;
import dev.parley.anthropic.ThinkingConfig;

/**
 * Reads a profile's thinking options ({@code thinking}, {@code thinking-display}, {@code effort}, {@code fallbacks})
 * into what its requests send, refusing at start-up, in one line naming the property, a combination its model refuses.
 */
final class ProfileThinking {

    static final int MIN_BUDGET = 1024;
    private static final Set<String> DISPLAYS = Set.of("summarized", "omitted", "updates");
    private static final Set<String> EFFORTS = Set.of("low", "medium", "high", "xhigh", "max");
    private static final int MAX_FALLBACKS = 3;
    static final String API_VERSION_WITHOUT_SAMPLING = "2026-10-21";

    private ProfileThinking() {
    }

    /** The {@code thinking} the profile's requests send, if any. */
    static Optional<ThinkingConfig> thinking(String name, AssistantsConfig.Profile profile) {
        return thinking(name, profile, profile.model());
    }

    /** The {@code thinking} the profile's settings send to {@code model} (the profile's own, or a fallback). */
    static Optional<ThinkingConfig> thinking(String name, AssistantsConfig.Profile profile, String model) {
        String key = "parley.assistants." + name + ".";
        ModelRules rules = ModelRules.of(model);
        Optional<String> display = profile.thinkingDisplay().map(String::strip);
        display.filter(value -> !DISPLAYS.contains(value)).ifPresent(value -> {
            throw new IllegalStateException(key + "thinking-display is summarized, omitted or updates, not " + value);
        });
        // A model that thinks unasked hides its thinking by default (display omitted): parley asks to see it.
        String type = profile.thinking().map(String::strip)
                .orElse(rules.thinksByDefault() || display.isPresent() ? "adaptive" : "");
        Optional<String> effort = profile.effort().map(String::strip);
        ThinkingConfig thinking = switch (type) {
            case "" -> null;
            case "adaptive" -> allowed(rules.adaptive(), key, model, "adaptive",
                    new ThinkingConfig(ThinkingConfig.ADAPTIVE, null, display.orElse("summarized")));
            case "between-tools" -> {
                // The API refuses a display beside between_tools: the notes between tool calls come back as they are.
                if (display.isPresent()) {
                    throw new IllegalStateException(key + "thinking-display is set, but the API takes no display "
                            + "with thinking between-tools");
                }
                yield thinkingOff(key, model, rules, effort, "between-tools", rules.betweenTools(),
                        new ThinkingConfig(ThinkingConfig.BETWEEN_TOOLS, null, null));
            }
            case "disabled" -> {
                if (rules.thinkingAlwaysOn()) {
                    throw alwaysOn(key, model, "disabled");
                }
                if (display.isPresent()) {
                    throw new IllegalStateException(key + "thinking-display is set, but thinking is disabled");
                }
                yield thinkingOff(key, model, rules, effort, "disabled", rules.disabled(),
                        new ThinkingConfig(ThinkingConfig.DISABLED, null, null));
            }
            default -> budget(key, profile, model, rules, type, display);
        };
        if (thinking != null && !ThinkingConfig.DISABLED.equals(thinking.type())
                && profile.temperature().filter(t -> t != 1.0).isPresent()) {
            throw new IllegalStateException(key + "temperature must be 1 or unset while the model thinks (thinking "
                    + thinking.type() + "): the API refuses other temperatures with thinking");
        }
        return Optional.ofNullable(thinking);
    }

    /**
     * Refuses a {@code temperature} under API version {@code 2026-10-21}, which removed the sampling parameters (a
     * request with one is a 400 whatever its value).
     */
    static void checkSampling(String name, AssistantsConfig.Profile profile, String apiVersion) {
        if (apiVersion.equals(API_VERSION_WITHOUT_SAMPLING) && profile.temperature().isPresent()) {
            throw new IllegalStateException("parley.assistants." + name + ".temperature is set, but the API version "
                    + apiVersion + " (parley.anthropic.version) refuses temperature: unset it or use 2023-06-01");
        }
    }

    /** The {@code output_config.effort} the profile's requests send, if any. */
    static Optional<String> effort(String name, AssistantsConfig.Profile profile) {
        return effort(name, profile, profile.model());
    }

    /** The {@code output_config.effort} the profile's settings send to {@code model}. */
    static Optional<String> effort(String name, AssistantsConfig.Profile profile, String model) {
        Optional<String> effort = profile.effort().map(String::strip);
        effort.filter(value -> !EFFORTS.contains(value)).ifPresent(value -> {
            throw new IllegalStateException("parley.assistants." + name + ".effort is low, medium, high, xhigh or max,"
                    + " not " + value);
        });
        List<String> levels = ModelRules.of(model).effortLevels();
        effort.filter(value -> !levels.contains(value)).ifPresent(value -> {
            throw new IllegalStateException("parley.assistants." + name + ".effort is " + value + ", which "
                    + model + (levels.isEmpty()
                            ? " does not take (it has no effort setting)"
                            : " does not accept (it takes " + String.join(", ", levels) + ")"));
        });
        return effort;
    }

    /** The server-side fallback's models: {@code default} alone, or up to three model ids other than the profile's. */
    static List<String> fallbacks(String name, AssistantsConfig.Profile profile) {
        String key = "parley.assistants." + name + ".fallbacks";
        List<String> models = profile.fallbacks().orElse(List.of()).stream().map(String::strip)
                .filter(model -> !model.isEmpty()).distinct().toList();
        if (models.contains("default") && models.size() > 1) {
            throw new IllegalStateException(key + ": 'default' lets the API choose; it cannot be listed with models");
        }
        if (models.size() > MAX_FALLBACKS) {
            throw new IllegalStateException(key + " names " + models.size() + " models; the API takes at most "
                    + MAX_FALLBACKS);
        }
        if (models.contains(profile.model())) {
            throw new IllegalStateException(key + " names the profile's own model " + profile.model());
        }
        return models;
    }

    private static ThinkingConfig budget(String key, AssistantsConfig.Profile profile, String model, ModelRules rules,
            String type, Optional<String> display) {
        long budget;
        try {
            budget = Long.parseLong(type);
        } catch (NumberFormatException e) {
            throw new IllegalStateException(key + "thinking is adaptive, between-tools, disabled or a token budget,"
                    + " not " + type);
        }
        if (rules.thinkingAlwaysOn()) {
            throw alwaysOn(key, model, "a budget (" + budget + ")");
        }
        if (!rules.budget()) {
            throw refused(key, model, "a budget (" + budget + ")");
        }
        if (budget < MIN_BUDGET || budget >= profile.maxTokens()) {
            throw new IllegalStateException(key + "thinking budget must be at least " + MIN_BUDGET
                    + " and below max-tokens (" + profile.maxTokens() + "), was " + budget);
        }
        return new ThinkingConfig(ThinkingConfig.ENABLED, budget, display.orElse("summarized"));
    }

    /** {@code disabled} or {@code between-tools}, where the model allows it at the profile's effort. */
    private static ThinkingConfig thinkingOff(String key, String model, ModelRules rules, Optional<String> effort,
            String what, boolean allowed, ThinkingConfig thinking) {
        allowed(allowed, key, model, what, thinking);
        effort.filter(level -> rules.thinkingOffUpToHighEffort() && (level.equals("xhigh") || level.equals("max")))
                .ifPresent(level -> {
                    throw new IllegalStateException(key + "thinking is " + what + " with effort " + level + ", which "
                            + model + " refuses: use effort high or below, or adaptive thinking");
                });
        return thinking;
    }

    private static ThinkingConfig allowed(boolean allowed, String key, String model, String what,
            ThinkingConfig thinking) {
        if (!allowed) {
            throw refused(key, model, what);
        }
        return thinking;
    }

    private static IllegalStateException alwaysOn(String key, String model, String what) {
        return new IllegalStateException(key + "thinking is " + what + ", but " + model + " always thinks and refuses"
                + " it: use adaptive and set effort for depth");
    }

    private static IllegalStateException refused(String key, String model, String what) {
        return new IllegalStateException(key + "thinking is " + what + ", which " + model + " does not accept");
    }
}
