package dev.parley.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.parley.simulator.ModelCatalog.SimModel;

/**
 * The server-side fallback beta (§9): {@code fallbacks} is {@code "default"} or a list of up to three
 * {@code {model, max_tokens?, thinking?, output_config?, speed?}}; when the requested model refuses, the API tries
 * them in order, and the first that does not refuse serves the rest of the message. The simulator's
 * {@code "default"} is Claude Opus 5.5 (Claude Sonnet 5.5 when Opus 5.5 is the one asked); the real API chooses per
 * model and refusal category.
 */
final class Fallbacks {

    /** One model to try, with the settings it overrides for its attempt (a missing field: the request's own). */
    record Hop(SimModel model, JsonNode overrides) {

        /** The request as this hop's attempt makes it: its model, and its overrides in place of the request's. */
        JsonNode apply(JsonNode request) {
            ObjectNode attempt = ((ObjectNode) request).deepCopy();
            attempt.remove("fallbacks");
            attempt.put("model", model.id());
            overrides.fields().forEachRemaining(field -> {
                if (!field.getKey().equals("model") && !field.getKey().equals("speed")) {
                    attempt.set(field.getKey(), field.getValue());
                }
            });
            return attempt;
        }
    }

    private static final int MAX_HOPS = 3;
    private static final Set<String> HOP_FIELDS = Set.of("model", "max_tokens", "thinking", "output_config", "speed");
    /** Haiku 5.5 cannot be the primary of a fallback (its model page). */
    private static final Set<String> NO_FALLBACK = Set.of("claude-haiku-5-5");

    private Fallbacks() {
    }

    /** The models to try after {@code requested} refuses, in order; empty without {@code fallbacks}. */
    static List<Hop> chain(JsonNode body, SimModel requested, ModelCatalog catalog) {
        JsonNode fallbacks = body.get("fallbacks");
        if (fallbacks == null || fallbacks.isNull()) {
            return List.of();
        }
        if (NO_FALLBACK.contains(requested.id())) {
            throw SimulatedApiError.invalidRequest("fallbacks: server-side fallback is not available for "
                    + requested.id());
        }
        if (fallbacks.isTextual() && fallbacks.asText().equals("default")) {
            String model = requested.id().equals("claude-opus-5-5") ? "claude-sonnet-5-5" : "claude-opus-5-5";
            return List.of(new Hop(catalog.serving(model), SimJson.MAPPER.createObjectNode()));
        }
        if (!fallbacks.isArray()) {
            throw SimulatedApiError.invalidRequest("fallbacks: Input should be 'default' or a valid list");
        }
        if (fallbacks.isEmpty() || fallbacks.size() > MAX_HOPS) {
            throw SimulatedApiError.invalidRequest("fallbacks: List should have between 1 and " + MAX_HOPS + " items");
        }
        List<Hop> hops = new ArrayList<>();
        for (int i = 0; i < fallbacks.size(); i++) {
            JsonNode hop = fallbacks.get(i);
            String path = "fallbacks." + i;
            if (!hop.isObject()) {
                throw SimulatedApiError.invalidRequest(path + ": Input should be a valid dictionary");
            }
            hop.fieldNames().forEachRemaining(field -> {
                if (!HOP_FIELDS.contains(field)) {
                    throw SimulatedApiError.invalidRequest(path + "." + field + ": Extra inputs are not permitted");
                }
            });
            if (!hop.path("model").isTextual()) {
                throw SimulatedApiError.invalidRequest(path + ".model: Field required");
            }
            SimModel model = catalog.serving(hop.path("model").asText());
            if (model.id().equals(requested.id())) {
                throw SimulatedApiError.invalidRequest(path + ".model: a fallback must be another model than "
                        + requested.id());
            }
            hops.add(new Hop(model, hop));
        }
        return hops;
    }
}
