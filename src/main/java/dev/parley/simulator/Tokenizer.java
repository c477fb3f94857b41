package dev.parley.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A deterministic stand-in for Claude's tokenizer: runs of up to four letters (or three digits), each single
 * other character, each with at most one leading whitespace, and leftover whitespace runs. English text comes out at
 * roughly four characters a token, like the real one; what matters is that the same text always counts the same, so
 * input, output and cache arithmetic can be checked exactly.
 */
final class Tokenizer {

    private static final Pattern TOKEN = Pattern
            .compile("\\s?[\\p{L}\\p{M}]{1,4}|\\s?\\p{N}{1,3}|\\s?[^\\s\\p{L}\\p{M}\\p{N}]|\\s+");

    private Tokenizer() {
    }

    static int count(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        Matcher matcher = TOKEN.matcher(text);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }

    static List<String> split(String text) {
        List<String> tokens = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return tokens;
        }
        Matcher matcher = TOKEN.matcher(text);
        while (matcher.find()) {
            tokens.add(matcher.group());
        }
        return tokens;
    }
}
