package dev.parley.api;

import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * The {@code detail} of an {@code invalid_json} problem: which field was wrong when that is known, never Jackson's own
 * message (it quotes the input, and names parley's classes).
 */
final class JsonProblems {

    private static final String GENERIC = "The body must be one JSON object in UTF-8 with the documented fields and "
            + "types, each field once, and nothing after it.";
    /** What of a client's field name may be echoed: a short, plain prefix. */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_]{1,40}");

    private JsonProblems() {
    }

    static String detail(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            String name = unknown.getPropertyName();
            return name != null && PLAIN.matcher(name).matches()
                    ? "Unknown field '" + name + "'. " + GENERIC
                    : "Unknown field. " + GENERIC;
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            return "Field '" + path(mapping) + "' has the wrong type or value. " + GENERIC;
        }
        return GENERIC;
    }

    /** {@code history[1].role}: only names of known fields get this far (unknown ones are refused first). */
    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
