package dev.parley.frontdoor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * What the front door reads of a client's request body: the fields its policy and budget decide on, nothing more. The
 * body itself goes upstream exactly as the client wrote it, so fields parley does not know (new content blocks,
 * betas' fields) pass untouched. The body must be one JSON object whose fields each appear once: were a field named
 * twice, parley might read one value and the upstream another.
 *
 * @param tree the whole body, parsed
 * @param model the model the client names
 * @param maxTokens {@code max_tokens} (always present on a message; absent on a token count)
 * @param stream whether the client asks for a streamed answer
 * @param fallbacks the models of the API's server-side fallback ({@code fallbacks}), each with its own
 *        {@code max_tokens} if it names one
 * @param defaultFallbacks whether {@code fallbacks} is {@code "default"}: the upstream picks the models
 */
record ClientRequest(JsonNode tree, String model, OptionalInt maxTokens, boolean stream, List<Hop> fallbacks,
        boolean defaultFallbacks) {

    /** Names parley writes to its ledger, metrics and logs: those of real model ids, bounded (the ledger's column). */
    private static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9._:@/+-]{1,200}");
    /** Tree parsing only, so nothing needs registering for native images. */
    private static final ObjectReader STRICT = new ObjectMapper().reader()
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** One model of a server-side fallback. */
    record Hop(String model, OptionalInt maxTokens) {
    }

    ClientRequest {
        fallbacks = List.copyOf(fallbacks);
    }

    /** A {@code POST /v1/messages} body; refused with {@link DoorRefusedException} as the API would refuse it. */
    static ClientRequest message(byte[] body) {
        JsonNode tree = parse(body);
        JsonNode maxTokens = tree.get("max_tokens");
        if (maxTokens == null) {
            throw refused("max_tokens: Field required");
        }
        if (!maxTokens.canConvertToExactIntegral() || !maxTokens.canConvertToInt()) {
            throw refused("max_tokens: Input should be a valid integer");
        }
        if (maxTokens.asInt() < 0) {
            throw refused("max_tokens: Input should be greater than or equal to 0");
        }
        JsonNode stream = tree.path("stream");
        if (!stream.isMissingNode() && !stream.isNull() && !stream.isBoolean()) {
            throw refused("stream: Input should be a valid boolean");
        }
        return new ClientRequest(tree, model(tree), OptionalInt.of(maxTokens.asInt()), stream.asBoolean(false),
                hops(tree), tree.path("fallbacks").isTextual());
    }

    /** A {@code POST /v1/messages/count_tokens} body. */
    static ClientRequest tokenCount(byte[] body) {
        JsonNode tree = parse(body);
        return new ClientRequest(tree, model(tree), OptionalInt.empty(), false, List.of(), false);
    }

    /** Every model that may serve the request: the one it names, then its fallbacks'. */
    List<String> models() {
        List<String> models = new ArrayList<>();
        models.add(model);
        fallbacks.forEach(hop -> models.add(hop.model()));
        return models;
    }

    private static JsonNode parse(byte[] body) {
        JsonNode tree;
        try {
            tree = STRICT.readTree(body);
        } catch (JsonProcessingException e) {
            // Jackson's own message may quote the body; the location is enough to find the fault.
            JsonLocation at = e.getLocation();
            throw refused("The request body is not valid JSON" + (e.getMessage() != null
                    && e.getMessage().startsWith("Duplicate field") ? " (a field appears twice)" : "")
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ".");
        } catch (IOException e) {
            throw refused("The request body is not valid JSON.");
        }
        if (tree == null || !tree.isObject()) {
            throw refused("Input should be a valid dictionary");
        }
        return tree;
    }

    private static String model(JsonNode tree) {
        JsonNode model = tree.get("model");
        if (model == null) {
            throw refused("model: Field required");
        }
        if (!model.isTextual()) {
            throw refused("model: Input should be a valid string");
        }
        if (!MODEL_NAME.matcher(model.asText()).matches()) {
            throw refused("model: parley passes on model names of at most 200 letters, digits and ._:@/+-");
        }
        return model.asText();
    }

    /** The listed fallbacks; any other shape is the upstream's to refuse, as it names no model. */
    private static List<Hop> hops(JsonNode tree) {
        JsonNode fallbacks = tree.path("fallbacks");
        if (!fallbacks.isArray()) {
            return List.of();
        }
        List<Hop> hops = new ArrayList<>();
        for (JsonNode fallback : fallbacks) {
            JsonNode model = fallback.path("model");
            if (!model.isTextual() || !MODEL_NAME.matcher(model.asText()).matches()) {
                throw refused("fallbacks: each fallback names its model, of at most 200 letters, digits and ._:@/+-");
            }
            JsonNode maxTokens = fallback.path("max_tokens");
            hops.add(new Hop(model.asText(), maxTokens.canConvertToExactIntegral() && maxTokens.canConvertToInt()
                    ? OptionalInt.of(maxTokens.asInt())
                    : OptionalInt.empty()));
        }
        return hops;
    }

    private static DoorRefusedException refused(String message) {
        return new DoorRefusedException(DoorRefusal.invalidRequest(message));
    }
}
