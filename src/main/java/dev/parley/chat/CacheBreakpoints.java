package dev.parley.chat;

import java.util.ArrayList;
import java.util.List;

import dev.parley.anthropic.CacheControl;
import dev.parley.anthropic.ContentBlock;
import dev.parley.anthropic.InputMessage;
import dev.parley.anthropic.ToolDefinition;
import dev.parley.chat.AssistantProfile.ConversationCache;
import dev.parley.chat.AssistantsConfig.CacheTtl;

/**
 * Where a profile's prompt-cache breakpoints go: at most one on the tools, one on the system prompt and one on the
 * conversation, so a request never holds more than three of the API's four. The conversation's breakpoint is set on
 * the request being sent, never on the messages kept: a stored conversation would otherwise gather a breakpoint per
 * turn and pass the limit.
 */
final class CacheBreakpoints {

    private CacheBreakpoints() {
    }

    static CacheControl control(CacheTtl ttl) {
        return switch (ttl) {
            case NONE -> null;
            case FIVE_MINUTES -> CacheControl.fiveMinutes();
            case ONE_HOUR -> CacheControl.oneHour();
        };
    }

    /** The tool definitions with the breakpoint on the last one (the tools are the prompt's first part). */
    static List<ToolDefinition> onLastTool(List<ToolDefinition> tools, CacheTtl ttl) {
        if (tools.isEmpty() || ttl == CacheTtl.NONE) {
            return tools;
        }
        List<ToolDefinition> marked = new ArrayList<>(tools);
        ToolDefinition last = marked.getLast();
        marked.set(marked.size() - 1,
                new ToolDefinition(last.name(), last.description(), last.inputSchema(), control(ttl)));
        return List.copyOf(marked);
    }

    /**
     * The messages of a request with the conversation's breakpoint on the last block of the last message: the next
     * round (or turn) extends this prefix, so it reads all of it from the cache.
     */
    static List<InputMessage> onLastMessage(List<InputMessage> messages, ConversationCache cache) {
        CacheControl control = switch (cache) {
            case NONE, AUTOMATIC -> null;
            case FIVE_MINUTES -> CacheControl.fiveMinutes();
            case ONE_HOUR -> CacheControl.oneHour();
        };
        if (control == null || messages.isEmpty()) {
            return messages;
        }
        InputMessage last = messages.getLast();
        List<ContentBlock> blocks = new ArrayList<>(last.content());
        for (int i = blocks.size() - 1; i >= 0; i--) {
            ContentBlock marked = marked(blocks.get(i), control);
            if (marked != null) {
                blocks.set(i, marked);
                List<InputMessage> copy = new ArrayList<>(messages);
                copy.set(copy.size() - 1, new InputMessage(last.role(), blocks));
                return copy;
            }
        }
        return messages;
    }

    /** The block with a breakpoint, or null for a block that cannot carry one (thinking cannot). */
    private static ContentBlock marked(ContentBlock block, CacheControl control) {
        return switch (block) {
            case ContentBlock.Text text -> new ContentBlock.Text(text.text(), control);
            case ContentBlock.ToolResult result -> new ContentBlock.ToolResult(result.toolUseId(), result.content(),
                    result.isError(), control);
            case ContentBlock.Image image -> new ContentBlock.Image(image.source(), control);
            case ContentBlock.Document document -> new ContentBlock.Document(document.source(), document.title(),
                    document.context(), document.citations(), control);
            default -> null;
        };
    }
}
