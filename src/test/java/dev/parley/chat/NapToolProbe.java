package dev.parley.chat;

/** Lets tests in other packages read what the test-only {@link NapTool} observed. */
public final class NapToolProbe {

    private NapToolProbe() {
    }

    public static int cancellations() {
        return NapTool.CANCELLED.get();
    }
}
