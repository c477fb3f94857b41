package dev.parley.anthropic;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Folds the events of one stream into the message they describe (§2): text appended, tool input assembled from its
 * {@code partial_json} fragments and parsed at block stop ({@code {}} when empty), thinking with its signature, and
 * usage updated with the overwrite semantics of §2.3. One instance per stream, confined to it; the message can be
 * read at any point, so a failed stream still reports what it got and used.
 */
public final class MessageAccumulator {

    private static final ObjectMapper TREES = new ObjectMapper();

    private String id;
    private String model;
    private Usage usage = Usage.EMPTY;
    private String stopReason;
    private String stopSequence;
    private JsonNode stopDetails;
    private boolean started;
    private boolean stopped;
    private final List<BlockInProgress> blocks = new ArrayList<>();

    /**
     * Folds one event in.
     *
     * @return the block that this event completed, for a {@code content_block_stop}
     */
    public Optional<ContentBlock> accept(StreamEvent event) {
        switch (event) {
            case StreamEvent.MessageStart start -> {
                started = true;
                Message message = start.message();
                id = message.id();
                model = message.model();
                usage = usage.updatedBy(message.usage());
            }
            case StreamEvent.ContentBlockStart start -> {
                while (blocks.size() <= start.index()) {
                    blocks.add(null);
                }
                blocks.set(start.index(), new BlockInProgress(start.contentBlock()));
            }
            case StreamEvent.ContentBlockDelta delta -> block(delta.index()).apply(delta.delta());
            case StreamEvent.ContentBlockStop stop -> {
                return Optional.of(block(stop.index()).finish());
            }
            case StreamEvent.MessageDelta delta -> {
                if (delta.delta() != null) {
                    stopReason = delta.delta().stopReason();
                    stopSequence = delta.delta().stopSequence();
                    stopDetails = delta.delta().stopDetails();
                }
                usage = usage.updatedBy(delta.usage());
            }
            case StreamEvent.MessageStop stop -> stopped = true;
            case StreamEvent.Ping ping -> {
            }
            case StreamEvent.Error error -> {
            }
            case StreamEvent.Unknown unknown -> {
            }
        }
        return Optional.empty();
    }

    /** The message so far; complete once {@link #complete()}. Unfinished blocks are included as they stand. */
    public Message message() {
        List<ContentBlock> content = new ArrayList<>();
        for (BlockInProgress block : blocks) {
            if (block != null) {
                content.add(block.current());
            }
        }
        return new Message(id, model, content, stopReason, stopSequence, stopDetails, usage);
    }

    public Usage usage() {
        return usage;
    }

    /** Whether {@code message_start} arrived (the upstream accepted the request and started billing). */
    public boolean started() {
        return started;
    }

    /** Whether {@code message_stop} arrived: without it, the stream was cut. */
    public boolean complete() {
        return stopped;
    }

    private BlockInProgress block(int index) {
        if (index >= blocks.size() || blocks.get(index) == null) {
            throw AnthropicException.transport(AnthropicException.Kind.INTERRUPTED,
                    new IllegalStateException("delta for block " + index + " that never started"));
        }
        return blocks.get(index);
    }

    /** One block being built from its start event and deltas. */
    private static final class BlockInProgress {
        private final ContentBlock start;
        private final StringBuilder text = new StringBuilder();
        private final StringBuilder json = new StringBuilder();
        private String signature;
        private ContentBlock finished;

        BlockInProgress(ContentBlock start) {
            this.start = start;
            if (start instanceof ContentBlock.Text t && t.text() != null) {
                text.append(t.text());
            } else if (start instanceof ContentBlock.Thinking t) {
                text.append(t.thinking() == null ? "" : t.thinking());
                signature = t.signature();
            }
        }

        void apply(Delta delta) {
            switch (delta) {
                case Delta.TextDelta d -> text.append(d.text());
                case Delta.ThinkingDelta d -> text.append(d.thinking());
                case Delta.SignatureDelta d -> signature = d.signature();
                case Delta.InputJsonDelta d -> json.append(d.partialJson());
                case Delta.CitationsDelta d -> {
                }
                case Delta.Unknown d -> {
                }
            }
        }

        ContentBlock finish() {
            finished = current();
            return finished;
        }

        ContentBlock current() {
            if (finished != null) {
                return finished;
            }
            return switch (start) {
                case ContentBlock.Text t -> new ContentBlock.Text(text.toString());
                case ContentBlock.Thinking t -> new ContentBlock.Thinking(text.toString(), signature);
                case ContentBlock.ToolUse t -> new ContentBlock.ToolUse(t.id(), t.name(), parsedInput(), t.caller());
                case ContentBlock.Unknown u when !json.isEmpty() && u.json() instanceof ObjectNode node -> {
                    // A server tool call: its input streams like a client tool's.
                    ObjectNode copy = node.deepCopy();
                    copy.set("input", parsedInput());
                    yield new ContentBlock.Unknown(copy);
                }
                default -> start;
            };
        }

        /** The tool input; null while (or if, after max_tokens) the fragments are not yet a JSON object. */
        private JsonNode parsedInput() {
            if (json.isEmpty()) {
                return TREES.createObjectNode();
            }
            try {
                JsonNode input = TREES.readTree(json.toString());
                return input != null && input.isObject() ? input : null;
            } catch (JsonProcessingException e) {
                return null;
            }
        }
    }
}
