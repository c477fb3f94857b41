package dev.parley.anthropic;

import java.util.List;

/**
 * What a model accepts of thinking, effort and tool choice, as the API's model pages and thinking troubleshooting page
 * describe it (late 2026), so that a profile asking for something its model refuses fails at start-up instead of on
 * every request. A model this table does not know is allowed everything: the API then decides.
 *
 * @param thinksByDefault the model thinks when a request says nothing of thinking (the 5.x models)
 * @param adaptive whether {@code thinking: adaptive} is accepted
 * @param budget whether {@code thinking: enabled} with {@code budget_tokens} is accepted
 * @param betweenTools whether {@code thinking: between_tools} is accepted (Sonnet 5.5 only)
 * @param disabled whether {@code thinking: disabled} is accepted
 * @param thinkingOffUpToHighEffort {@code disabled} or {@code between_tools} only at effort {@code high} or below
 * @param forcedToolChoiceRefused whether {@code tool_choice} {@code any} or {@code tool} is refused
 * @param effortLevels the {@code output_config.effort} values accepted; empty where effort is not
 */
public record ModelRules(String family, boolean thinksByDefault, boolean adaptive, boolean budget,
        boolean betweenTools, boolean disabled, boolean thinkingOffUpToHighEffort, boolean forcedToolChoiceRefused,
        List<String> effortLevels) {

    private static final List<String> ALL_EFFORTS = List.of("low", "medium", "high", "xhigh", "max");
    private static final ModelRules UNKNOWN = new ModelRules("unknown", false, true, true, true, true, false, false,
            ALL_EFFORTS);

    private static final List<Family> FAMILIES = List.of(
            new Family(List.of("claude-opus-5-5", "claude-fable-5-1", "claude-fable-5-2", "claude-mythos-5-1",
                    "claude-mythos-5-2"),
                    new ModelRules("always thinking", true, true, false, false, false, false, true, ALL_EFFORTS)),
            new Family(List.of("claude-opus-5", "claude-fable-5", "claude-mythos-5"),
                    new ModelRules("always thinking (5.0)", true, true, false, false, false, false, false,
                            ALL_EFFORTS)),
            new Family(List.of("claude-sonnet-5-5"),
                    new ModelRules("adaptive or between tools", true, true, false, true, false, true, true,
                            ALL_EFFORTS)),
            new Family(List.of("claude-haiku-5-5"),
                    new ModelRules("adaptive, or off up to high effort", true, true, false, false, true, true, false,
                            ALL_EFFORTS)),
            new Family(List.of("claude-sonnet-5"),
                    new ModelRules("adaptive by default, or off", true, true, false, false, true, false, false,
                            ALL_EFFORTS)),
            new Family(List.of("claude-opus-4-7", "claude-opus-4-8"),
                    new ModelRules("adaptive or off", false, true, false, false, true, false, false, ALL_EFFORTS)),
            new Family(List.of("claude-opus-4-6", "claude-sonnet-4-6"),
                    new ModelRules("adaptive or budget", false, true, true, false, true, false, false,
                            List.of("low", "medium", "high", "max"))),
            new Family(List.of("claude-opus-4-5", "claude-haiku-4-5", "claude-sonnet-4-5", "claude-sonnet-4",
                    "claude-opus-4"),
                    new ModelRules("budget", false, false, true, false, true, false, false,
                            List.of())));

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

    /** The model always thinks: neither {@code disabled} nor {@code between_tools} turns it off. */
    public boolean thinkingAlwaysOn() {
        return thinksByDefault && !disabled && !betweenTools;
    }

    private record Family(List<String> ids, ModelRules rules) {

        /** The id itself, or a dated snapshot of it ({@code id-YYYYMMDD}); never a longer version number. */
        boolean includes(String model) {
            return ids.stream().anyMatch(id -> model.equals(id)
                    || model.startsWith(id + "-") && model.substring(id.length() + 1).matches("\\d{8}"));
        }
    }
}
