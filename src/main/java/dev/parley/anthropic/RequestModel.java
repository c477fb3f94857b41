package dev.parley.anthropic;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * The {@code model} a request body written by a client names, read without building the body's tree: its top-level
 * fields are scanned until {@code model} (the SDKs write it first), each other value skipped whole.
 */
final class RequestModel {

    private static final JsonFactory JSON = new JsonFactory();

    private RequestModel() {
    }

    /** The body's top-level {@code model}, or {@code ""} when it has none (or is not a JSON object). */
    static String of(byte[] body) {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return "";
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("model") && value == JsonToken.VALUE_STRING) {
                    return parser.getText();
                }
                parser.skipChildren();
            }
            return "";
        } catch (IOException e) {
            return "";
        }
    }
}
