package dev.parley.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The simulator's behaviour for one request, chosen by {@code [[sim:key=value]]} directives written in the latest user
 * message that contains text. Riding inside the conversation, they pass through any proxy (parley included) and keep
 * applying through every round of a tool loop. The grammar is documented in the README.
 */
record Directives(Optional<String> id, Optional<String> reply, Optional<Integer> tokens, Optional<Duration> ttft,
        Optional<Duration> delay, int chunk, Map<Integer, List<ToolCallDirective>> toolsByRound,
        Optional<String> preamble, Optional<Integer> thinkingTokens, boolean redactedThinking, CacheMode cacheMode,
        Optional<Long> cacheMinimum, boolean legacyUsage, Optional<Duration> pingInterval, List<Fault> faults,
        boolean refusal, Set<String> refuseOn, Optional<String> refusalCategory, long countUnder,
        Set<String> overloadedOn) {

    /** How the prompt cache behaves for this request. */
    enum CacheMode {
        /** As the real API: write at breakpoints, read a cached prefix. */
        AUTO,
        /** Neither read nor write, as if every prefix were below the minimum. */
        OFF,
        /** Ignore what is cached (a miss), but write. */
        COLD
    }

    /** A tool call the simulated model makes; {@code input} empty means "made up from the tool's schema". */
    record ToolCallDirective(String name, Optional<String> input) {
    }

    static final Directives NONE = new Directives(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), 1, Map.of(), Optional.empty(), Optional.empty(), false, CacheMode.AUTO,
            Optional.empty(), false, Optional.empty(), List.of(), false, Set.of(), Optional.empty(), 0, Set.of());

    /** Whether {@code model} refuses: {@code stop=refusal} refuses on every model, {@code refuse-on} on those named. */
    boolean refusesOn(String model) {
        return refusal || refuseOn.contains(model);
    }

    /** Whether {@code model} is overloaded for good ({@code overloaded-on}): every request to it is answered 529. */
    boolean overloadedOn(String model) {
        return overloadedOn.contains(model);
    }

    /**
     * {@code [[sim:input-tokens=N]]}: the text holding it counts N input tokens, whatever its length, in
     * {@code count_tokens} and in a message's usage alike (as a short text a real tokenizer finds long). Read where the
     * prompt is counted, block by block, not from the latest user message only: the block keeps its weight in every
     * later round that carries it.
     */
    private static final Pattern INPUT_TOKENS = Pattern.compile("\\[\\[sim:\\s*input-tokens\\s*=\\s*(\\d+)\\s*]]");

    private static final Pattern DIRECTIVE = Pattern.compile("\\[\\[sim:\\s*([a-z0-9@-]+)\\s*(?:=(.*?))?\\s*]]",
            Pattern.DOTALL);
    private static final Pattern TOOL_KEY = Pattern.compile("tool(?:@(\\d+))?");

    /**
     * Parses every directive in the text.
     *
     * @throws IllegalArgumentException naming the first directive that is not understood
     */
    static Directives parse(String text) {
        Matcher matcher = DIRECTIVE.matcher(text);
        if (!matcher.find()) {
            return NONE;
        }
        Builder builder = new Builder();
        do {
            String key = matcher.group(1);
            String value = matcher.group(2) == null ? "" : matcher.group(2).trim();
            try {
                builder.apply(key, value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("[[sim:" + key + "]]: " + e.getMessage(), e);
            }
        } while (matcher.find());
        return builder.build();
    }

    /** The input tokens a text counts: those its {@code input-tokens} directive says, else its tokenizer count. */
    static int textTokens(String text) {
        if (text.indexOf("[[sim:") >= 0) {
            Matcher matcher = INPUT_TOKENS.matcher(text);
            if (matcher.find()) {
                return Integer.parseInt(matcher.group(1));
            }
        }
        return Tokenizer.count(text);
    }

    /** Durations as {@code 250ms}, {@code 2s}, {@code 1m} or a bare number of milliseconds. */
    static Duration parseDuration(String value) {
        String v = value.trim();
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
        }
        if (v.endsWith("s")) {
            return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1).trim()) * 1000));
        }
        if (v.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1).trim()));
        }
        return Duration.ofMillis(Long.parseLong(v));
    }

    private static final class Builder {
        private Optional<String> id = Optional.empty();
        private Optional<String> reply = Optional.empty();
        private Optional<Integer> tokens = Optional.empty();
        private Optional<Duration> ttft = Optional.empty();
        private Optional<Duration> delay = Optional.empty();
        private int chunk = 1;
        private final Map<Integer, List<ToolCallDirective>> tools = new TreeMap<>();
        private Optional<String> preamble = Optional.empty();
        private Optional<Integer> thinkingTokens = Optional.empty();
        private boolean redactedThinking;
        private CacheMode cacheMode = CacheMode.AUTO;
        private Optional<Long> cacheMinimum = Optional.empty();
        private boolean legacyUsage;
        private Optional<Duration> pingInterval = Optional.empty();
        private final List<Fault> faults = new ArrayList<>();
        private boolean refusal;
        private final Set<String> refuseOn = new HashSet<>();
        private Optional<String> refusalCategory = Optional.empty();
        private long countUnder;
        private final Set<String> overloadedOn = new HashSet<>();

        void apply(String key, String value) {
            Matcher toolKey = TOOL_KEY.matcher(key);
            if (toolKey.matches()) {
                int round = toolKey.group(1) == null ? 1 : Integer.parseInt(toolKey.group(1));
                tools.computeIfAbsent(round, r -> new ArrayList<>()).add(toolCall(value));
                return;
            }
            switch (key) {
                case "id" -> id = Optional.of(requireNonBlank(value));
                case "reply" -> reply = Optional.of(value);
                case "tokens" -> tokens = Optional.of(nonNegative(Integer.parseInt(value)));
                case "ttft" -> ttft = Optional.of(parseDuration(value));
                case "delay" -> delay = Optional.of(parseDuration(value));
                case "chunk" -> chunk = Math.max(1, Integer.parseInt(value));
                case "preamble" -> preamble = Optional.of(value);
                case "thinking" -> {
                    if (value.equals("redacted")) {
                        redactedThinking = true;
                    } else {
                        thinkingTokens = Optional.of(nonNegative(Integer.parseInt(value)));
                    }
                }
                case "cache" -> cacheMode = CacheMode.valueOf(value.toUpperCase());
                case "cache-min" -> cacheMinimum = Optional.of((long) nonNegative(Integer.parseInt(value)));
                case "usage" -> legacyUsage = switch (value) {
                    case "legacy" -> true;
                    case "full" -> false;
                    default -> throw new IllegalArgumentException("usage is 'full' or 'legacy'");
                };
                case "ping" -> pingInterval = Optional.of(parseDuration(value));
                case "fault" -> faults.add(Fault.parse(value));
                case "input-tokens" -> nonNegative(Integer.parseInt(value)); // applied where text is counted
                case "count-under" -> countUnder = nonNegative(Integer.parseInt(value));
                case "stop" -> refusal = switch (value) {
                    case "refusal" -> true;
                    default -> throw new IllegalArgumentException("only stop=refusal can be forced");
                };
                case "refuse-on" -> Arrays.stream(value.split(",")).map(String::trim).filter(m -> !m.isEmpty())
                        .forEach(refuseOn::add);
                case "overloaded-on" -> Arrays.stream(value.split(",")).map(String::trim).filter(m -> !m.isEmpty())
                        .forEach(overloadedOn::add);
                case "refusal-category" -> refusalCategory = Optional.of(requireNonBlank(value));
                default -> throw new IllegalArgumentException("unknown directive");
            }
        }

        private static ToolCallDirective toolCall(String value) {
            String trimmed = requireNonBlank(value);
            int space = trimmed.indexOf(' ');
            if (space < 0) {
                return new ToolCallDirective(trimmed, Optional.empty());
            }
            return new ToolCallDirective(trimmed.substring(0, space), Optional.of(trimmed.substring(space + 1).trim()));
        }

        private static String requireNonBlank(String value) {
            if (value.isBlank()) {
                throw new IllegalArgumentException("needs a value");
            }
            return value;
        }

        private static int nonNegative(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("must not be negative");
            }
            return value;
        }

        Directives build() {
            return new Directives(id, reply, tokens, ttft, delay, chunk, Map.copyOf(tools), preamble, thinkingTokens,
                    redactedThinking, cacheMode, cacheMinimum, legacyUsage, pingInterval, List.copyOf(faults),
                    refusal, Set.copyOf(refuseOn), refusalCategory, countUnder, Set.copyOf(overloadedOn));
        }
    }
}
