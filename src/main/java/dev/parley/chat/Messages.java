package dev.parley.chat;

import java.util.List;

import dev.parley.anthropic.ContentBlock;
import dev.parley.anthropic.InputMessage;

/** Small readings of wire messages that the chat package needs in several places. */
final class Messages {

    private Messages() {
    }

    static String text(InputMessage message) {
        return ContentBlock.joinText(message.content());
    }

    static int textLength(List<InputMessage> messages) {
        return messages.stream().mapToInt(message -> text(message).length()).sum();
    }

    /**
     * The assistant content as it may be sent back: empty text blocks (which the API rejects) and tool calls whose
     * input never completed are left out.
     */
    static List<ContentBlock> replayable(List<ContentBlock> content) {
        return content.stream()
                .filter(block -> !(block instanceof ContentBlock.Text t && t.text().isEmpty()))
                .filter(block -> !(block instanceof ContentBlock.ToolUse t && t.input() == null))
                .toList();
    }
}
