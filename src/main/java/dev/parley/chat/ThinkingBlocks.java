package dev.parley.chat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.parley.anthropic.ContentBlock;
import dev.parley.chat.ChatEvent.ThinkingHidden;

/**
 * Numbers a turn's thinking blocks for its clients (from 1, over every round: a block's index in a message restarts at
 * 0 with each message) and tells which of them arrived without readable text. Part of one {@link TurnRun}, on its
 * context.
 */
final class ThinkingBlocks {

    private int count;
    private final Map<Integer, Integer> numberAtIndex = new HashMap<>();
    private final Set<Integer> withText = new HashSet<>();

    /** A new message (a round, or another attempt of one) starts: its indexes are its own. */
    void newMessage() {
        numberAtIndex.clear();
        withText.clear();
    }

    /** A thinking or redacted-thinking block started at {@code index} of the current message. */
    void opened(int index) {
        numberAtIndex.put(index, ++count);
    }

    /** The number of the block at {@code index}, whose text has now been seen. */
    int textOf(int index) {
        withText.add(index);
        return numberOf(index);
    }

    /**
     * For a completed thinking block that showed no text: the marker a client gets instead (omitted: the upstream
     * returned it empty, as {@code display: omitted} does; redacted: encrypted).
     */
    Optional<ChatEvent> hiddenAt(int index, ContentBlock block) {
        if (block instanceof ContentBlock.RedactedThinking) {
            return Optional.of(new ThinkingHidden(numberOf(index), ThinkingHidden.Hidden.REDACTED));
        }
        if (block instanceof ContentBlock.Thinking && !withText.contains(index)) {
            return Optional.of(new ThinkingHidden(numberOf(index), ThinkingHidden.Hidden.OMITTED));
        }
        return Optional.empty();
    }

    private int numberOf(int index) {
        // A delta for a block whose start was not a thinking start cannot happen on the wire; number it anyway.
        return numberAtIndex.computeIfAbsent(index, unseen -> ++count);
    }
}
