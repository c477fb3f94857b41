package dev.parley.anthropic;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Reads the event that is nearly every event of a stream, a {@code content_block_delta} carrying a
 * {@code text_delta} (§2.2), with Jackson's streaming parser instead of its data binding: the binding (type ids,
 * records built by reflection) was about a tenth of the relay's CPU in the profile (bench/README.md), the parser
 * reads the same event in a fraction of that.
 * <p>
 * A shortcut, never a second definition of the wire format: it accepts only the exact shape
 * {@code {"type":"content_block_delta","index":N,"delta":{"type":"text_delta","text":"..."}}} (any whitespace, the
 * JSON escapes, {@code index} and {@code delta} in either order) and returns {@code null} for anything else (another
 * type, another or a repeated field, {@code type} not first, invalid JSON), which the caller then binds as usual. {@code TextDeltaReaderTest} checks that whatever it returns equals the
 * binding's result.
 */
final class TextDeltaReader {

    private final JsonFactory json;

    TextDeltaReader(JsonFactory json) {
        this.json = json;
    }

    /** The event, or {@code null} when it is not a text delta of the usual shape. */
    StreamEvent.ContentBlockDelta read(byte[] data) {
        try (JsonParser parser = json.createParser(data)) {
            if (parser.nextToken() != JsonToken.START_OBJECT || !isString(parser, "type", "content_block_delta")) {
                return null;
            }
            Integer index = null;
            String text = null;
            for (String field = parser.nextFieldName(); field != null; field = parser.nextFieldName()) {
                if (field.equals("index") && index == null && parser.nextToken() == JsonToken.VALUE_NUMBER_INT
                        && parser.getNumberType() == JsonParser.NumberType.INT) {
                    index = parser.getIntValue();
                } else if (field.equals("delta") && text == null) {
                    text = textOfDelta(parser);
                    if (text == null) {
                        return null;
                    }
                } else {
                    return null;
                }
            }
            boolean whole = parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null;
            return whole && index != null && text != null
                    ? new StreamEvent.ContentBlockDelta(index, new Delta.TextDelta(text))
                    : null;
        } catch (IOException e) {
            return null; // the binding reads it again and reports what is wrong
        }
    }

    /** The text of {@code {"type":"text_delta","text":"..."}}, or {@code null}. */
    private static String textOfDelta(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT || !isString(parser, "type", "text_delta")
                || !"text".equals(parser.nextFieldName()) || parser.nextToken() != JsonToken.VALUE_STRING) {
            return null;
        }
        String text = parser.getText();
        return parser.nextToken() == JsonToken.END_OBJECT ? text : null;
    }

    private static boolean isString(JsonParser parser, String field, String value) throws IOException {
        return field.equals(parser.nextFieldName()) && parser.nextToken() == JsonToken.VALUE_STRING
                && value.equals(parser.getText());
    }
}
