package dev.parley.simulator;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one model does with thinking, effort and tool choice, per the late-2026 model pages and the thinking
 * troubleshooting page (protocol reference §9): which {@code thinking} types it accepts (and the API's 400 for each
 * one it refuses), what it does when the request says nothing, and the request rules that came with the 5.x models.
 *
 * @param refusedThinking each {@code thinking.type} the model refuses, with the API's message
 * @param thinksByDefault the model thinks when the request has no {@code thinking}
 * @param defaultDisplay the {@code display} of a thinking block when the request does not set one
 * @param effortLevels the {@code output_config.effort} values accepted, empty where effort is not supported
 * @param defaultEffort the effort when the request does not set one; null where effort is not supported
 * @param disabledUpToHighEffort {@code disabled} (and {@code between_tools}) is accepted only at effort {@code high}
 *            or below (Haiku 5.5; Sonnet 5.5's {@code between_tools})
 * @param forcedToolChoiceRefused {@code tool_choice} {@code any} or {@code tool} is a 400 whatever the thinking
 * @param textBetweenToolsIsThinking what the model writes before its tool calls comes back in a thinking block, not a
 *            text block: empty at display {@code omitted} (the "silence between tool calls"), the note itself at
 *            {@code updates} or {@code summarized}
 * @param prefixBound its thinking blocks are bound to the prefix that produced them (§9)
 */
record ModelBehaviour(Map<String, String> refusedThinking, boolean thinksByDefault, String defaultDisplay,
        List<String> effortLevels, String defaultEffort, boolean disabledUpToHighEffort,
        boolean forcedToolChoiceRefused, boolean textBetweenToolsIsThinking, boolean prefixBound) {

    private static final String USE_ADAPTIVE = " is not supported for this model. Use \"thinking.type.adaptive\" and "
            + "\"output_config.effort\" to control thinking behavior.";
    private static final String ENABLED_REFUSED = "\"thinking.type.enabled\"" + USE_ADAPTIVE;
    private static final String DISABLED_REFUSED = "\"thinking.type.disabled\"" + USE_ADAPTIVE;
    private static final String BETWEEN_TOOLS_REFUSED = "\"thinking.type.between_tools\" is not supported for this "
            + "model.";
    private static final List<String> ALL_EFFORTS = List.of("low", "medium", "high", "xhigh", "max");
    private static final List<String> EFFORTS_4_6 = List.of("low", "medium", "high", "max");

    /** Opus 5.5, Fable and Mythos 5.x: adaptive thinking always on, thinking text omitted unless asked for. */
    static ModelBehaviour alwaysThinking(String defaultEffort, boolean prefixBound) {
        return new ModelBehaviour(Map.of("enabled", ENABLED_REFUSED, "disabled", DISABLED_REFUSED,
                "between_tools", BETWEEN_TOOLS_REFUSED), true, "omitted", ALL_EFFORTS, defaultEffort, false, true,
                true, prefixBound);
    }

    static final ModelBehaviour OPUS_5_5 = alwaysThinking("medium", true);
    static final ModelBehaviour FABLE_5_2 = alwaysThinking("high", true);
    /** Mythos 5.1 does not run the prefix check; Fable 5.1 does. */
    static final ModelBehaviour FABLE_5_1 = alwaysThinking("high", true);
    static final ModelBehaviour MYTHOS_5_1 = alwaysThinking("high", false);
    /** Sonnet 5.5: {@code between_tools} is its lowest setting (no thinking before the first tool call). */
    static final ModelBehaviour SONNET_5_5 = new ModelBehaviour(Map.of("enabled", ENABLED_REFUSED, "disabled",
            "\"thinking.type.disabled\" is not supported for this model. Use \"thinking.type.between_tools\" for the "
                    + "lowest thinking setting, or \"thinking.type.adaptive\" and \"output_config.effort\" to control "
                    + "thinking behavior."),
            true, "omitted", ALL_EFFORTS, "high", true, true, true, true);
    /** Haiku 5.5: thinking can be turned off, at effort {@code high} or below. */
    static final ModelBehaviour HAIKU_5_5 = new ModelBehaviour(Map.of("enabled", ENABLED_REFUSED, "between_tools",
            BETWEEN_TOOLS_REFUSED), true, "omitted", ALL_EFFORTS, "medium", true, false, false, true);
    /** Opus 5, Fable 5: adaptive only, on by default. */
    static final ModelBehaviour ADAPTIVE_ONLY = new ModelBehaviour(Map.of("enabled", ENABLED_REFUSED, "disabled",
            DISABLED_REFUSED, "between_tools", BETWEEN_TOOLS_REFUSED), true, "omitted", ALL_EFFORTS, "high", false,
            false, false, false);
    /** Opus 4.7 and 4.8: adaptive or none, none by default; no budgets. */
    static final ModelBehaviour ADAPTIVE_OR_NONE = new ModelBehaviour(Map.of("enabled", ENABLED_REFUSED,
            "between_tools", BETWEEN_TOOLS_REFUSED), false, "omitted", ALL_EFFORTS, "high", false, false, false,
            false);
    /** Sonnet 5: adaptive or none, thinking by default. */
    static final ModelBehaviour SONNET_5 = new ModelBehaviour(ADAPTIVE_OR_NONE.refusedThinking(), true, "omitted",
            ALL_EFFORTS, "high", false, false, false, false);
    /** Opus and Sonnet 4.6: adaptive, a budget (deprecated) or none; thinking shown summarized. */
    static final ModelBehaviour ADAPTIVE_OR_BUDGET = new ModelBehaviour(Map.of("between_tools",
            BETWEEN_TOOLS_REFUSED), false, "summarized", EFFORTS_4_6, "high", false, false, false, false);
    /** The 4.5 models and older: a thinking budget or none. */
    static final ModelBehaviour BUDGET = new ModelBehaviour(Map.of("adaptive",
            "adaptive thinking is not supported on this model", "between_tools", BETWEEN_TOOLS_REFUSED), false,
            "summarized", List.of(), null, false, false, false, false);

    static final Set<String> THINKING_TYPES = Set.of("adaptive", "between_tools", "disabled", "enabled");

    boolean supportsEffort() {
        return defaultEffort != null;
    }

    /** The display the request asks for, or this model's default. */
    String display(String requested) {
        return requested == null || requested.isEmpty() ? defaultDisplay : requested;
    }
}
