package dev.parley.tool.builtin;

/** Repeating the model's own words back to it, safely. */
final class Texts {

    private static final int SHOWN_LENGTH = 64;

    private Texts() {
    }

    /** A model-made value made safe to quote in a message: bounded, without control characters. */
    static String shown(String text) {
        String bounded = text.length() > SHOWN_LENGTH ? text.substring(0, SHOWN_LENGTH) + "…" : text;
        return bounded.replaceAll("\\p{Cntrl}", "?");
    }
}
