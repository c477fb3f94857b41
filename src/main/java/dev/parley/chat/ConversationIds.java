package dev.parley.chat;

import java.util.regex.Pattern;

/**
 * What a conversation id a client sends may be, and how much of it a message may repeat. Parley makes ids of 29
 * characters ({@code conv_} and 24 letters and digits); anything longer than {@link #MAX_LENGTH} or of other
 * characters cannot be one, so it is not found without asking the store, and a problem's detail never echoes more
 * than a short, plain prefix of it.
 */
public final class ConversationIds {

    /** Longer than any id parley makes, with room to spare. */
    public static final int MAX_LENGTH = 64;
    private static final Pattern PLAUSIBLE = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_LENGTH + "}");
    private static final int SHOWN = 40;

    private ConversationIds() {
    }

    /** Whether {@code id} could be an id parley made. */
    public static boolean plausible(String id) {
        return id != null && PLAUSIBLE.matcher(id).matches();
    }

    /** The id as a message may quote it: whole when plausible, else its first plain characters and an ellipsis. */
    public static String shown(String id) {
        if (plausible(id)) {
            return id;
        }
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < id.length() && shown.length() < SHOWN; i++) {
            char c = id.charAt(i);
            shown.append(c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-') ? c : '?');
        }
        return shown.append('…').toString();
    }
}
