package dev.parley.resume;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** A batch's frames: those after an id, one by one, and their size as the bound on kept bytes counts it. */
class JournalBatchTest {

    private static final String FRAMES = "id: 4\nevent: text\ndata: {\"text\":\"a\"}\n\n"
            + "id: 5\nevent: text\ndata: {\"text\":\"b\"}\n\n" + "id: 6\nevent: done\ndata: {}\n\n";

    @Test
    void theFramesAfterAnIdAreTheRestOfTheBatch() {
        JournalBatch batch = new JournalBatch(4, 6, FRAMES, true);

        assertThat(batch.framesAfter(3)).isEqualTo(FRAMES);
        assertThat(batch.framesAfter(4)).startsWith("id: 5\n").endsWith("id: 6\nevent: done\ndata: {}\n\n");
        assertThat(batch.framesAfter(5)).isEqualTo("id: 6\nevent: done\ndata: {}\n\n");
        assertThat(batch.framesAfter(6)).isEmpty();
        assertThat(batch.split()).hasSize(3).allMatch(frame -> frame.endsWith("\n\n"));
    }

    @Test
    void itsSizeIsItsUtf8BytesNotItsCharacters() {
        // One, two, three and four bytes a code point (the last is two chars in Java), and a lone surrogate, which
        // the encoder writes as one replacement byte '?' but we count as three: never less than what is sent.
        String text = "id: 1\nevent: text\ndata: {\"text\":\"a é € 🦜\"}\n\n";
        JournalBatch batch = new JournalBatch(1, 1, text, false);

        assertThat(batch.bytes()).isEqualTo(text.getBytes(StandardCharsets.UTF_8).length)
                .isGreaterThan(text.length());
        assertThat(new JournalBatch(1, 1, "\uD800", false).bytes()).isEqualTo(3);
    }
}
