package dev.parley.anthropic;

import java.util.List;

/**
 * What a model accepts of thinking, as the API's model pages describe it (late 2026), so that a profile asking for
 * something its model refuses fails at start-up instead of on every request. A model this table does not know is
 * allowed everything: the API then decides.
 *
 * @param thinkingAlwaysOn the model always thinks: {@code disabled} and a budget ({@code enabled}) are refused, depth
 *            is {@code output_config.effort}'s (Opus 5.5, Fable 5.1 and later, Mythos 5.1 and later)
 * @param adaptive whether {@code thinking: adaptive} is accepted
 * @param budget whether {@code thinking: enabled} with {@code budget_tokens} is accepted
 * @param betweenTools whether {@code thinking: between_tools} is accepted
 * @param forcedToolChoiceRefused whether {@code tool_choice} {@code any} or {@code tool} is refused
 */
public record ModelRules(String family, boolean thinkingAlwaysOn, boolean adaptive, boolean budget,
        boolean betweenTools, boolean forcedToolChoiceRefused) {

    private static final ModelRules UNKNOWN = new ModelRules("unknown", false, true, true, true, false);

    private static final List<Family> FAMILIES = List.of(
            new Family(List.of("claude-opus-5-5", "claude-fable-5-1", "claude-fable-5-2", "claude-mythos-5-1",
                    "claude-mythos-5-2"),
                    new ModelRules("always thinking", true, true, false, true, true)),
            new Family(List.of("claude-sonnet-5-5", "claude-haiku-5-5"),
                    new ModelRules("adaptive or between tools", false, true, true, true, false)),
            new Family(List.of("claude-opus-5", "claude-sonnet-5", "claude-fable-5", "claude-mythos-5",
                    "claude-opus-4-6", "claude-opus-4-7", "claude-opus-4-8", "claude-sonnet-4-6"),
                    new ModelRules("adaptive or budget", false, true, true, false, false)),
            new Family(List.of("claude-opus-4-5", "claude-haiku-4-5", "claude-sonnet-4-5", "claude-sonnet-4",
                    "claude-opus-4"), new ModelRules("budget", false, false, true, false, false)));

    /** The rules of a model id or alias (a dated id such as {@code claude-opus-4-5-20251101} included). */
    public static ModelRules of(String model) {
        for (Family family : FAMILIES) {
            if (family.includes(model)) {
                return family.rules();
            }
        }
        return UNKNOWN;
    }

    /** Whether the table knows the model (an unknown one is allowed everything). */
    public boolean known() {
        return this != UNKNOWN;
    }

    private record Family(List<String> ids, ModelRules rules) {

        /** The id itself, or a dated snapshot of it ({@code id-YYYYMMDD}); never a longer version number. */
        boolean includes(String model) {
            return ids.stream().anyMatch(id -> model.equals(id)
                    || model.startsWith(id + "-") && model.substring(id.length() + 1).matches("\\d{8}"));
        }
    }
}
