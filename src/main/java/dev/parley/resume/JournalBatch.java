package dev.parley.resume;

import java.util.ArrayList;
import java.util.List;

/**
 * Consecutive Server-Sent Events frames of one turn, as they were written to its client in one write: whole frames
 * {@code id: n ... \n\n} with the ids {@code firstId..lastId}. A batch is kept as it was written (one write, one
 * entry); a resume from the middle of it takes the frames after the id it asks for.
 *
 * @param last whether the turn's last event ({@code done} or {@code error}) is the batch's last frame
 */
public record JournalBatch(long firstId, long lastId, String frames, boolean last) {

    /** The frame separator: SSE ends each frame with a blank line, and parley's data lines never hold a newline. */
    private static final String FRAME_END = "\n\n";

    /** The frames of this batch whose ids are greater than {@code afterId}, as one string ("" when none). */
    public String framesAfter(long afterId) {
        if (afterId < firstId) {
            return frames;
        }
        if (afterId >= lastId) {
            return "";
        }
        int skip = (int) (afterId - firstId + 1);
        int at = 0;
        for (int i = 0; i < skip; i++) {
            at = frames.indexOf(FRAME_END, at) + FRAME_END.length();
        }
        return frames.substring(at);
    }

    /** The frames' size in UTF-8, as written to the client: what {@code parley.streams.max-bytes} bounds. */
    public long bytes() {
        long bytes = 0;
        for (int i = 0; i < frames.length(); i++) {
            char c = frames.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < frames.length()
                    && Character.isLowSurrogate(frames.charAt(i + 1))) {
                bytes += 4; // one code point above U+FFFF, two chars
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** Each frame of the batch, for tests and for a reader that wants them one by one. */
    public List<String> split() {
        List<String> out = new ArrayList<>();
        int at = 0;
        while (at < frames.length()) {
            int end = frames.indexOf(FRAME_END, at) + FRAME_END.length();
            out.add(frames.substring(at, end));
            at = end;
        }
        return out;
    }
}
