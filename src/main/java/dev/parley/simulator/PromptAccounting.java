package dev.parley.simulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Counts a request's input tokens and splits them the way the real API bills them: uncached input, cache writes (5m
 * and 1h) and cache reads. The prompt is laid out as blocks in cache order (tools, system, messages); each block has a
 * deterministic token count and a running prefix hash. Cache arithmetic follows the protocol reference (§6.2): with A
 * the position of the furthest cache hit, B the furthest 1h breakpoint after A and C the last breakpoint, the request
 * reads A, writes B − A for an hour and C − B for five minutes, and pays full price for the rest.
 */
final class PromptAccounting {

    /** Fixed framing of every request, and of every message (role markers). */
    static final int REQUEST_OVERHEAD_TOKENS = 4;
    static final int MESSAGE_OVERHEAD_TOKENS = 3;
    /** The hidden tool-use system prompt the API adds when tools are offered. */
    static final int TOOL_PROMPT_TOKENS = 300;
    /** Images and PDFs are not decoded; each counts a fixed amount. */
    static final int IMAGE_TOKENS = 1_500;
    static final int PDF_TOKENS = 2_000;
    private static final int LOOKBACK_BLOCKS = 20;

    /** The input side of a usage object. */
    record InputUsage(long inputTokens, long cacheWrite5m, long cacheWrite1h, long cacheRead) {

        long cacheCreation() {
            return cacheWrite5m + cacheWrite1h;
        }

        long totalPrompt() {
            return inputTokens + cacheCreation() + cacheRead;
        }
    }

    /** The outcome: usage, and the cache entries to write once the response starts. */
    record Result(InputUsage usage, List<PendingWrite> writes) {
    }

    record PendingWrite(String key, boolean oneHour) {
    }

    private record Block(long endPosition, String prefixKey, String ttl) {
    }

    private PromptAccounting() {
    }

    /** Total prompt tokens, as {@code count_tokens} reports them (caching does not change the count). */
    static long countTokens(JsonNode request) {
        List<Block> blocks = layout(request, "");
        return blocks.isEmpty() ? REQUEST_OVERHEAD_TOKENS : blocks.getLast().endPosition;
    }

    static Result account(JsonNode request, String model, long cacheMinimum, Directives.CacheMode mode,
            PromptCache cache) {
        List<Block> blocks = layout(request, model);
        long total = blocks.isEmpty() ? REQUEST_OVERHEAD_TOKENS : blocks.getLast().endPosition;
        List<Integer> breakpoints = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).ttl != null) {
                breakpoints.add(i);
            }
        }
        if (mode == Directives.CacheMode.OFF || breakpoints.isEmpty()) {
            return new Result(new InputUsage(total, 0, 0, 0), List.of());
        }
        long read = 0;
        if (mode == Directives.CacheMode.AUTO) {
            for (int breakpoint : breakpoints) {
                for (int j = breakpoint; j >= Math.max(0, breakpoint - LOOKBACK_BLOCKS + 1); j--) {
                    if (blocks.get(j).endPosition <= read) {
                        break;
                    }
                    if (cache.hit(blocks.get(j).prefixKey)) {
                        read = blocks.get(j).endPosition;
                        break;
                    }
                }
            }
        }
        long oneHourEnd = read;
        long lastEnd = read;
        List<PendingWrite> writes = new ArrayList<>();
        for (int breakpoint : breakpoints) {
            Block block = blocks.get(breakpoint);
            if (block.endPosition <= read || block.endPosition < cacheMinimum) {
                continue;
            }
            boolean oneHour = "1h".equals(block.ttl);
            if (oneHour) {
                oneHourEnd = Math.max(oneHourEnd, block.endPosition);
            }
            lastEnd = Math.max(lastEnd, block.endPosition);
            writes.add(new PendingWrite(block.prefixKey, oneHour));
        }
        InputUsage usage = new InputUsage(total - lastEnd, lastEnd - oneHourEnd, oneHourEnd - read, read);
        return new Result(usage, writes);
    }

    /** Lays the prompt out in cache order and computes each block's end position, prefix key and breakpoint TTL. */
    private static List<Block> layout(JsonNode request, String model) {
        Layout layout = new Layout(model);
        JsonNode tools = request.path("tools");
        if (tools.isArray() && !tools.isEmpty()) {
            layout.overhead(TOOL_PROMPT_TOKENS);
            for (JsonNode tool : tools) {
                layout.add("tool", tool, Tokenizer.count(withoutCacheControl(tool).toString()));
            }
        }
        JsonNode system = request.path("system");
        if (system.isTextual()) {
            layout.add("system", system, Tokenizer.count(system.asText()));
        } else if (system.isArray()) {
            for (JsonNode block : system) {
                layout.add("system", block, Tokenizer.count(block.path("text").asText()));
            }
        }
        for (JsonNode message : request.path("messages")) {
            String role = message.path("role").asText();
            layout.overhead(MESSAGE_OVERHEAD_TOKENS);
            JsonNode content = message.path("content");
            if (content.isTextual()) {
                layout.add(role, content, Directives.textTokens(content.asText()));
            } else {
                for (JsonNode block : content) {
                    layout.add(role, block, blockTokens(block));
                }
            }
        }
        JsonNode topLevel = request.path("cache_control");
        if (topLevel.isObject() && !layout.blocks.isEmpty()) {
            // Automatic caching puts a breakpoint on the last cacheable block.
            Block last = layout.blocks.getLast();
            if (last.ttl == null) {
                layout.blocks.set(layout.blocks.size() - 1,
                        new Block(last.endPosition, last.prefixKey, topLevel.path("ttl").asText("5m")));
            }
        }
        return layout.blocks;
    }

    static int blockTokens(JsonNode block) {
        return switch (block.path("type").asText()) {
            case "text" -> Directives.textTokens(block.path("text").asText());
            case "image" -> IMAGE_TOKENS;
            case "document" -> documentTokens(block.path("source"));
            case "tool_use" -> 3 + Tokenizer.count(block.path("name").asText())
                    + Tokenizer.count(block.path("input").toString());
            case "tool_result" -> 3 + contentTokens(block.path("content"));
            case "thinking" -> Tokenizer.count(block.path("thinking").asText());
            case "redacted_thinking" -> Tokenizer.count(block.path("data").asText()) / 4;
            default -> Tokenizer.count(withoutCacheControl(block).toString());
        };
    }

    private static int documentTokens(JsonNode source) {
        return switch (source.path("type").asText()) {
            case "text" -> Tokenizer.count(source.path("data").asText());
            case "content" -> contentTokens(source.path("content"));
            default -> PDF_TOKENS;
        };
    }

    private static int contentTokens(JsonNode content) {
        if (content.isTextual()) {
            return Tokenizer.count(content.asText());
        }
        int tokens = 0;
        for (JsonNode block : content) {
            tokens += blockTokens(block);
        }
        return tokens;
    }

    private static JsonNode withoutCacheControl(JsonNode block) {
        if (!block.has("cache_control")) {
            return block;
        }
        ObjectNode copy = ((ObjectNode) block).deepCopy();
        copy.remove("cache_control");
        return copy;
    }

    /** Accumulates blocks with a running position and a running hash of everything before them. */
    private static final class Layout {
        final List<Block> blocks = new ArrayList<>();
        final MessageDigest digest;
        long position = REQUEST_OVERHEAD_TOKENS;

        Layout(String model) {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            digest.update(model.getBytes(StandardCharsets.UTF_8));
        }

        void overhead(int tokens) {
            position += tokens;
        }

        void add(String role, JsonNode block, int tokens) {
            position += tokens;
            digest.update(role.getBytes(StandardCharsets.UTF_8));
            digest.update(withoutCacheControl(block).toString().getBytes(StandardCharsets.UTF_8));
            String ttl = block.isObject() && block.has("cache_control")
                    ? block.path("cache_control").path("ttl").asText("5m")
                    : null;
            // Every block gets a key, not just breakpoints: a later request's breakpoint looks back for entries that
            // an earlier request wrote at a different block.
            blocks.add(new Block(position, prefixKey(), ttl));
        }

        private String prefixKey() {
            try {
                return HexFormat.of().formatHex(((MessageDigest) digest.clone()).digest());
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
