package dev.parley.simulator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import dev.parley.simulator.ModelCatalog.SimModel;

/**
 * Validates a Messages API request the way the real API does, with its error messages where the protocol reference
 * quotes them (§3.2): required fields, types, model limits, thinking and tool-choice rules, cache breakpoints, and
 * the tool_use / tool_result pairing rules (§5.1).
 */
final class RequestValidator {

    private static final Set<String> MESSAGE_FIELDS = Set.of("model", "max_tokens", "messages", "system", "tools",
            "tool_choice", "temperature", "top_p", "top_k", "stop_sequences", "stream", "metadata", "thinking",
            "cache_control", "output_config", "service_tier", "inference_geo", "container", "fallbacks");
    private static final Set<String> COUNT_TOKENS_FIELDS = Set.of("model", "messages", "system", "tools",
            "tool_choice", "thinking", "cache_control", "output_config");
    private static final Set<String> BLOCK_TYPES = Set.of("text", "image", "document", "search_result", "thinking",
            "redacted_thinking", "tool_use", "tool_result", "server_tool_use", "web_search_tool_result",
            "web_fetch_tool_result", "code_execution_tool_result", "bash_code_execution_tool_result",
            "text_editor_code_execution_tool_result", "tool_search_tool_result", "container_upload", "fallback");
    private static final Pattern TOOL_NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,128}$");
    private static final int MAX_CACHE_BREAKPOINTS = 4;
    private static final int MAX_MESSAGES = 100_000;
    static final String PREFIX_CHANGED = "Invalid `signature` in `thinking` block. The block is bound to a different "
            + "conversation. Remove the block, or set `thinking.block_binding.prefix_mismatch_behavior` to "
            + "\"drop_block\". That setting requires the `thinking-binding-controls-2026-08-01` value in the "
            + "`anthropic-beta` header.";
    static final String FORCED_TOOL_CHOICE_REFUSED = "tool_choice: type \"tool\" and \"any\" are not supported "
            + "for this model.";

    private RequestValidator() {
    }

    /**
     * Validates a {@code POST /v1/messages} body sent with the given {@code anthropic-beta} values and returns the
     * model it asks for.
     */
    static SimModel validateMessages(JsonNode body, String version, Set<String> betas, ModelCatalog catalog,
            ThinkingSignatures signatures) {
        requireObject(body);
        validateVersionRules(body, version);
        rejectExtraFields(body, MESSAGE_FIELDS);
        if (body.has("fallbacks") && !betas.contains(Betas.SERVER_SIDE_FALLBACK)) {
            // A beta field is not a field at all without its beta header.
            throw SimulatedApiError.invalidRequest("fallbacks: Extra inputs are not permitted");
        }
        String modelName = requireString(body, "model");
        JsonNode maxTokens = body.get("max_tokens");
        if (maxTokens == null) {
            throw SimulatedApiError.invalidRequest("max_tokens: Field required");
        }
        if (!maxTokens.canConvertToLong() || !maxTokens.isIntegralNumber()) {
            throw SimulatedApiError.invalidRequest("max_tokens: Input should be a valid integer");
        }
        if (maxTokens.asLong() < 0) {
            throw SimulatedApiError.invalidRequest("max_tokens: Input should be greater than or equal to 0");
        }
        validateCommon(body);
        validateSampling(body);
        SimModel model = catalog.serving(modelName);
        validateAttempt(body, model, betas);
        for (Fallbacks.Hop hop : Fallbacks.chain(body, model, catalog)) {
            validateAttempt(hop.apply(body), hop.model(), betas);
        }
        validateThinkingSignatures(body, model, signatures);
        return model;
    }

    /**
     * What depends on the model an attempt is made to: the output limit, thinking and effort. A fallback's attempt is
     * validated as if the request were made to its model, with its overrides.
     */
    static void validateAttempt(JsonNode body, SimModel model, Set<String> betas) {
        long maxTokens = body.path("max_tokens").asLong();
        if (maxTokens > model.maxOutputTokens()) {
            throw SimulatedApiError.invalidRequest("max_tokens: " + maxTokens + " > " + model.maxOutputTokens()
                    + ", which is the maximum allowed number of output tokens for " + body.path("model").asText());
        }
        validateThinking(body, model, betas, maxTokens);
        validateEffort(body, model);
    }

    /** Validates a {@code POST /v1/messages/count_tokens} body and returns the model it asks for. */
    static SimModel validateCountTokens(JsonNode body, ModelCatalog catalog) {
        requireObject(body);
        rejectExtraFields(body, COUNT_TOKENS_FIELDS);
        String modelName = requireString(body, "model");
        validateCommon(body);
        SimModel model = catalog.serving(modelName);
        validateForcedToolChoice(body, model);
        return model;
    }

    private static void validateCommon(JsonNode body) {
        JsonNode messages = body.get("messages");
        if (messages == null) {
            throw SimulatedApiError.invalidRequest("messages: Field required");
        }
        if (!messages.isArray()) {
            throw SimulatedApiError.invalidRequest("messages: Input should be a valid list");
        }
        if (messages.isEmpty()) {
            throw SimulatedApiError.invalidRequest("messages: at least one message is required");
        }
        if (messages.size() > MAX_MESSAGES) {
            throw SimulatedApiError.invalidRequest("messages: too many messages; the limit is " + MAX_MESSAGES);
        }
        validateSystem(body.get("system"));
        validateTools(body.get("tools"));
        validateToolChoice(body);
        for (int i = 0; i < messages.size(); i++) {
            validateMessage(messages.get(i), "messages." + i);
        }
        validateToolPairing(messages);
        validateCacheControl(body);
    }

    private static void validateSystem(JsonNode system) {
        if (system == null || system.isTextual()) {
            return;
        }
        if (!system.isArray()) {
            throw SimulatedApiError.invalidRequest("system: Input should be a valid string or list");
        }
        for (int i = 0; i < system.size(); i++) {
            JsonNode block = system.get(i);
            if (!"text".equals(block.path("type").asText()) || !block.path("text").isTextual()) {
                throw SimulatedApiError.invalidRequest("system." + i + ": Input should be a text block");
            }
        }
    }

    private static void validateTools(JsonNode tools) {
        if (tools == null) {
            return;
        }
        if (!tools.isArray()) {
            throw SimulatedApiError.invalidRequest("tools: Input should be a valid list");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String path = "tools." + i;
            String type = tool.path("type").asText("custom");
            String name = tool.path("name").asText(null);
            if (name == null) {
                throw SimulatedApiError.invalidRequest(path + ".name: Field required");
            }
            if (!TOOL_NAME.matcher(name).matches()) {
                throw SimulatedApiError.invalidRequest(
                        path + ".name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'");
            }
            if (type.equals("custom")) {
                JsonNode schema = tool.get("input_schema");
                if (schema == null) {
                    throw SimulatedApiError.invalidRequest(path + ".input_schema: Field required");
                }
                if (!"object".equals(schema.path("type").asText())) {
                    throw SimulatedApiError.invalidRequest(path + ".input_schema.type: Input should be 'object'");
                }
            }
            if (!names.add(name)) {
                throw SimulatedApiError.invalidRequest("tools: Tool names must be unique.");
            }
        }
    }

    private static void validateToolChoice(JsonNode body) {
        JsonNode choice = body.get("tool_choice");
        if (choice == null) {
            return;
        }
        String type = choice.path("type").asText();
        if (!Set.of("auto", "any", "tool", "none").contains(type)) {
            throw SimulatedApiError.invalidRequest("tool_choice: Input tag '" + type
                    + "' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'");
        }
        if (type.equals("tool") && !choice.path("name").isTextual()) {
            throw SimulatedApiError.invalidRequest("tool_choice.tool.name: Field required");
        }
    }

    private static void validateSampling(JsonNode body) {
        JsonNode temperature = body.get("temperature");
        if (temperature != null && (!temperature.isNumber() || temperature.asDouble() < 0
                || temperature.asDouble() > 1)) {
            throw SimulatedApiError.invalidRequest(temperature.isNumber() && temperature.asDouble() < 0
                    ? "temperature: Input should be greater than or equal to 0"
                    : "temperature: Input should be less than or equal to 1");
        }
        JsonNode stops = body.get("stop_sequences");
        if (stops != null) {
            if (!stops.isArray()) {
                throw SimulatedApiError.invalidRequest("stop_sequences: Input should be a valid list");
            }
            for (int i = 0; i < stops.size(); i++) {
                if (!stops.get(i).isTextual()) {
                    throw SimulatedApiError.invalidRequest("stop_sequences." + i + ": Input should be a valid string");
                }
            }
        }
        JsonNode stream = body.get("stream");
        if (stream != null && !stream.isBoolean()) {
            throw SimulatedApiError.invalidRequest("stream: Input should be a valid boolean");
        }
    }

    private static void validateForcedToolChoice(JsonNode body, SimModel model) {
        String forced = body.path("tool_choice").path("type").asText();
        if ((forced.equals("any") || forced.equals("tool")) && model.behaviour().forcedToolChoiceRefused()) {
            throw SimulatedApiError.invalidRequest(FORCED_TOOL_CHOICE_REFUSED);
        }
    }

    private static void validateThinking(JsonNode body, SimModel model, Set<String> betas, long maxTokens) {
        validateForcedToolChoice(body, model);
        JsonNode thinking = body.get("thinking");
        if (thinking == null) {
            return;
        }
        String type = thinking.path("type").asText();
        if (!ModelBehaviour.THINKING_TYPES.contains(type)) {
            throw SimulatedApiError.invalidRequest("thinking: Input tag '" + type
                    + "' found using 'type' does not match any of the expected tags: 'adaptive', 'between_tools', "
                    + "'disabled', 'enabled'");
        }
        String refused = model.behaviour().refusedThinking().get(type);
        if (refused != null) {
            throw SimulatedApiError.invalidRequest(refused);
        }
        String effort = body.path("output_config").path("effort").asText("");
        boolean thinkingOff = type.equals("disabled") || type.equals("between_tools");
        if (thinkingOff && model.behaviour().disabledUpToHighEffort()
                && (effort.equals("xhigh") || effort.equals("max"))) {
            throw SimulatedApiError.invalidRequest("output_config.effort '" + effort + "' is not supported when "
                    + "thinking is disabled on this model. Use effort 'high' or below, or enable thinking.");
        }
        JsonNode display = thinking.get("display");
        if (display != null) {
            if (thinkingOff) {
                throw SimulatedApiError.invalidRequest("thinking." + type + ".display: Extra inputs are not permitted");
            }
            String value = display.asText();
            if (value.equals("updates") && !betas.contains(Betas.THINKING_DISPLAY_UPDATES)) {
                throw SimulatedApiError.invalidRequest("\"thinking.display\" value \"updates\" requires the beta "
                        + "header " + Betas.THINKING_DISPLAY_UPDATES);
            }
            if (!display.isTextual() || !Set.of("summarized", "omitted", "updates").contains(value)) {
                throw SimulatedApiError.invalidRequest("thinking." + type + ".display: Input should be 'summarized', "
                        + "'omitted' or 'updates'");
            }
        }
        if (type.equals("enabled")) {
            JsonNode budget = thinking.get("budget_tokens");
            if (budget == null) {
                throw SimulatedApiError.invalidRequest("thinking.enabled.budget_tokens: Field required");
            }
            if (budget.asLong() < 1024) {
                throw SimulatedApiError.invalidRequest(
                        "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
            }
            if (budget.asLong() >= maxTokens) {
                throw SimulatedApiError.invalidRequest(
                        "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size");
            }
            String forced = body.path("tool_choice").path("type").asText();
            if (forced.equals("any") || forced.equals("tool")) {
                throw SimulatedApiError
                        .invalidRequest("Thinking may not be enabled when tool_choice forces tool use.");
            }
        }
    }

    private static void validateEffort(JsonNode body, SimModel model) {
        JsonNode outputConfig = body.get("output_config");
        if (outputConfig == null || !outputConfig.has("effort")) {
            return;
        }
        List<String> levels = model.behaviour().effortLevels();
        if (levels.isEmpty()) {
            throw SimulatedApiError.invalidRequest("output_config.effort: Extra inputs are not permitted");
        }
        JsonNode effort = outputConfig.get("effort");
        if (!effort.isTextual() || !levels.contains(effort.asText())) {
            String list = String.join(", ", levels.subList(0, levels.size() - 1).stream()
                    .map(level -> "'" + level + "'").toList()) + " or '" + levels.getLast() + "'";
            throw SimulatedApiError.invalidRequest("output_config.effort: Input should be " + list);
        }
    }

    /**
     * What API version 2026-10-21 refuses that 2023-06-01 accepts (its migration guide): the sampling parameters,
     * a document placed directly in an assistant message, and citations on a user message's text.
     */
    private static void validateVersionRules(JsonNode body, String version) {
        if (!version.equals(SimulatorRoutes.VERSION_2026_10_21)) {
            return;
        }
        for (String removed : List.of("temperature", "top_p", "top_k")) {
            if (body.has(removed)) {
                throw SimulatedApiError.invalidRequest(removed + ": Extra inputs are not permitted");
            }
        }
        JsonNode messages = body.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            String role = messages.get(i).path("role").asText();
            JsonNode content = messages.get(i).path("content");
            for (int j = 0; j < content.size(); j++) {
                JsonNode block = content.get(j);
                String type = block.path("type").asText();
                String path = "messages." + i + ".content." + j;
                if (role.equals("assistant") && type.equals("document")) {
                    throw SimulatedApiError.invalidRequest(path + ": `document` blocks are not allowed in "
                            + "`assistant` messages");
                }
                if (role.equals("user") && type.equals("text") && block.path("citations").isArray()
                        && !block.path("citations").isEmpty()) {
                    throw SimulatedApiError.invalidRequest(path + ".citations: citations are not allowed on text "
                            + "in `user` messages");
                }
            }
        }
    }

    private static void validateMessage(JsonNode message, String path) {
        if (!message.isObject()) {
            throw SimulatedApiError.invalidRequest(path + ": Input should be a valid dictionary");
        }
        String role = message.path("role").asText(null);
        if (role == null) {
            throw SimulatedApiError.invalidRequest(path + ".role: Field required");
        }
        if (!role.equals("user") && !role.equals("assistant")) {
            throw SimulatedApiError.invalidRequest(path + ".role: Input should be 'user' or 'assistant'");
        }
        JsonNode content = message.get("content");
        if (content == null) {
            throw SimulatedApiError.invalidRequest(path + ".content: Field required");
        }
        if (content.isTextual()) {
            if (content.asText().isEmpty() && role.equals("user")) {
                throw SimulatedApiError.invalidRequest(path + ": user messages must have non-empty content");
            }
            return;
        }
        if (!content.isArray()) {
            throw SimulatedApiError.invalidRequest(path + ".content: Input should be a valid list");
        }
        for (int j = 0; j < content.size(); j++) {
            validateBlock(content.get(j), role, path + ".content." + j);
        }
    }

    private static void validateBlock(JsonNode block, String role, String path) {
        String type = block.path("type").asText(null);
        if (type == null) {
            throw SimulatedApiError.invalidRequest(path + ".type: Field required");
        }
        if (!BLOCK_TYPES.contains(type)) {
            throw SimulatedApiError.invalidRequest(path + ": Input tag '" + type
                    + "' found using 'type' does not match any of the expected tags");
        }
        switch (type) {
            case "text" -> {
                if (!block.path("text").isTextual()) {
                    throw SimulatedApiError.invalidRequest(path + ".text: Field required");
                }
                if (block.path("text").asText().isEmpty()) {
                    throw SimulatedApiError.invalidRequest("messages: text content blocks must be non-empty");
                }
            }
            case "tool_use" -> {
                requireRole(role, "assistant", path, type);
                if (!block.path("id").isTextual() || !block.path("name").isTextual()) {
                    throw SimulatedApiError.invalidRequest(path + ": tool_use blocks need an id and a name");
                }
                if (!block.path("input").isObject()) {
                    throw SimulatedApiError.invalidRequest(path + ".input: Input should be a valid dictionary");
                }
            }
            case "tool_result" -> {
                requireRole(role, "user", path, type);
                if (!block.path("tool_use_id").isTextual()) {
                    throw SimulatedApiError.invalidRequest(path + ".tool_use_id: Field required");
                }
                JsonNode content = block.get("content");
                boolean empty = content == null || content.isNull()
                        || (content.isTextual() && content.asText().isEmpty())
                        || (content.isArray() && content.isEmpty());
                if (empty && block.path("is_error").asBoolean(false)) {
                    throw SimulatedApiError.invalidRequest("content cannot be empty if is_error is true");
                }
            }
            case "thinking" -> {
                requireRole(role, "assistant", path, type);
                if (!block.path("thinking").isTextual() || !block.path("signature").isTextual()) {
                    throw SimulatedApiError.invalidRequest(path + ": thinking blocks need thinking and signature");
                }
            }
            default -> {
            }
        }
    }

    private static void requireRole(String role, String expected, String path, String type) {
        if (!role.equals(expected)) {
            throw SimulatedApiError.invalidRequest(path + ": `" + type + "` blocks can only be in `" + expected
                    + "` messages");
        }
    }

    /**
     * The pairing rules of §5.1, checked on turns (consecutive same-role messages merged, as the API does), with
     * the original index of a turn's first message in the error path.
     */
    private static void validateToolPairing(JsonNode messages) {
        List<Turn> turns = mergeTurns(messages);
        Set<String> allToolUseIds = new HashSet<>();
        for (int t = 0; t < turns.size(); t++) {
            Turn turn = turns.get(t);
            if (turn.role.equals("assistant")) {
                Set<String> ids = new LinkedHashSet<>();
                for (JsonNode block : turn.blocks) {
                    if ("tool_use".equals(block.path("type").asText())) {
                        String id = block.path("id").asText();
                        if (!allToolUseIds.add(id)) {
                            throw SimulatedApiError.invalidRequest("`tool_use` ids must be unique");
                        }
                        ids.add(id);
                    }
                }
                if (!ids.isEmpty()) {
                    checkResultsFollow(turn, t + 1 < turns.size() ? turns.get(t + 1) : null, ids);
                }
            } else {
                Set<String> previousIds = t > 0 ? toolUseIds(turns.get(t - 1)) : Set.of();
                for (int b = 0; b < turn.blocks.size(); b++) {
                    JsonNode block = turn.blocks.get(b);
                    if ("tool_result".equals(block.path("type").asText())) {
                        String id = block.path("tool_use_id").asText();
                        if (!previousIds.contains(id)) {
                            throw SimulatedApiError.invalidRequest(turn.blockPath(b)
                                    + ": unexpected `tool_use_id` found in `tool_result` blocks: " + id
                                    + ". Each `tool_result` block must have a corresponding `tool_use` block in the previous message.");
                        }
                    }
                }
            }
        }
    }

    private static void checkResultsFollow(Turn assistant, Turn next, Set<String> ids) {
        Set<String> missing = new LinkedHashSet<>(ids);
        if (next != null) {
            int leading = 0;
            while (leading < next.blocks.size()
                    && "tool_result".equals(next.blocks.get(leading).path("type").asText())) {
                missing.remove(next.blocks.get(leading).path("tool_use_id").asText());
                leading++;
            }
            boolean laterResults = next.blocks.stream().skip(leading)
                    .anyMatch(block -> "tool_result".equals(block.path("type").asText()));
            if (laterResults) {
                throw SimulatedApiError.invalidRequest("messages." + next.firstIndex + ": Did not find " + ids.size()
                        + " tool_result block(s) at the beginning of this message. Messages following tool_use blocks must begin with a matching number of tool_result blocks.");
            }
        }
        if (!missing.isEmpty()) {
            throw SimulatedApiError.invalidRequest("messages." + assistant.firstIndex
                    + ": `tool_use` ids were found without `tool_result` blocks immediately after: "
                    + String.join(", ", missing)
                    + ". Each `tool_use` block must have a corresponding `tool_result` block in the next message.");
        }
    }

    private static Set<String> toolUseIds(Turn turn) {
        Set<String> ids = new HashSet<>();
        for (JsonNode block : turn.blocks) {
            if ("tool_use".equals(block.path("type").asText())) {
                ids.add(block.path("id").asText());
            }
        }
        return ids;
    }

    private record Turn(String role, int firstIndex, List<JsonNode> blocks, List<String> paths) {
        String blockPath(int b) {
            return paths.get(b);
        }
    }

    private static List<Turn> mergeTurns(JsonNode messages) {
        List<Turn> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String role = message.path("role").asText();
            if (turns.isEmpty() || !turns.getLast().role.equals(role)) {
                turns.add(new Turn(role, i, new ArrayList<>(), new ArrayList<>()));
            }
            Turn turn = turns.getLast();
            JsonNode content = message.path("content");
            if (content.isArray()) {
                for (int j = 0; j < content.size(); j++) {
                    turn.blocks.add(content.get(j));
                    turn.paths.add("messages." + i + ".content." + j);
                }
            } else {
                turn.blocks.add(SimJson.MAPPER.createObjectNode().put("type", "text").put("text", content.asText()));
                turn.paths.add("messages." + i + ".content");
            }
        }
        return turns;
    }

    private static void validateCacheControl(JsonNode body) {
        List<String> ttls = new ArrayList<>();
        collectCacheControl(body.path("tools"), ttls);
        collectCacheControl(body.path("system"), ttls);
        for (JsonNode message : body.path("messages")) {
            collectCacheControl(message.path("content"), ttls);
        }
        if (body.path("cache_control").isObject()) {
            ttls.add(body.path("cache_control").path("ttl").asText("5m"));
        }
        for (String ttl : ttls) {
            if (!ttl.equals("5m") && !ttl.equals("1h")) {
                throw SimulatedApiError.invalidRequest("cache_control.ttl: Input should be '5m' or '1h'");
            }
        }
        if (ttls.size() > MAX_CACHE_BREAKPOINTS) {
            throw SimulatedApiError.invalidRequest("A maximum of " + MAX_CACHE_BREAKPOINTS
                    + " blocks with cache_control may be provided. Found " + ttls.size() + ".");
        }
        int firstFiveMinute = ttls.indexOf("5m");
        if (firstFiveMinute >= 0 && ttls.subList(firstFiveMinute, ttls.size()).contains("1h")) {
            throw SimulatedApiError.invalidRequest(
                    "cache_control: a ttl='1h' cache_control block must not come after a ttl='5m' cache_control block");
        }
    }

    private static void collectCacheControl(JsonNode blocks, List<String> ttls) {
        if (!blocks.isArray()) {
            return;
        }
        for (JsonNode block : blocks) {
            JsonNode cacheControl = block.get("cache_control");
            if (cacheControl != null && cacheControl.isObject()) {
                ttls.add(cacheControl.path("ttl").asText("5m"));
            }
        }
    }

    /**
     * Every thinking block must come back as it was produced (its signature) and, on a model that binds thinking to
     * its prefix, after the same system prompt, tools and earlier messages (§9). A block another model made (the
     * request's model changed, or a server-side fallback served that part of the message) is dropped by the API, not
     * refused; the signature says which model made it.
     */
    private static void validateThinkingSignatures(JsonNode body, SimModel model, ThinkingSignatures signatures) {
        JsonNode messages = body.path("messages");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode content = messages.get(i).path("content");
            String prefix = null;
            for (int j = 0; j < content.size(); j++) {
                JsonNode block = content.get(j);
                if (!"thinking".equals(block.path("type").asText())) {
                    continue;
                }
                if (prefix == null) {
                    prefix = ThinkingPrefix.of(body, i);
                }
                String path = "messages." + i + ".content." + j;
                switch (signatures.verify(block.path("thinking").asText(), block.path("signature").asText(), prefix)) {
                    case ALTERED -> throw SimulatedApiError.invalidRequest(path
                            + ": Invalid `signature` in `thinking` block");
                    case VALID -> {
                    }
                    case OTHER_PREFIX -> {
                        boolean sameModel = signatures.producer(block.path("signature").asText()).equals(model.id());
                        if (sameModel && model.behaviour().prefixBound()) {
                            throw SimulatedApiError.invalidRequest(path + ": " + PREFIX_CHANGED);
                        }
                    }
                }
            }
        }
    }

    private static void requireObject(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw SimulatedApiError.invalidRequest("Input should be a valid dictionary");
        }
    }

    private static void rejectExtraFields(JsonNode body, Set<String> allowed) {
        body.fieldNames().forEachRemaining(field -> {
            if (!allowed.contains(field)) {
                throw SimulatedApiError.invalidRequest(field + ": Extra inputs are not permitted");
            }
        });
    }

    private static String requireString(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null) {
            throw SimulatedApiError.invalidRequest(field + ": Field required");
        }
        if (!value.isTextual()) {
            throw SimulatedApiError.invalidRequest(field + ": Input should be a valid string");
        }
        return value.asText();
    }
}
