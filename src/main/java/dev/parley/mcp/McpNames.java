package dev.parley.mcp;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The names the model sees for MCP tools. A tool {@code t} of server {@code s} is offered as {@code s__t}: parley's own
 * tools may not contain {@code __}, and server names ({@code [a-z][a-z0-9-]{0,30}}) contain no {@code _}, so the
 * prefix tells apart both the source and the server. The Messages API wants {@code ^[a-zA-Z0-9_-]{1,64}$}, while an MCP
 * tool name may be up to 128 characters and hold dots: a name that does not fit as it is has its other characters
 * replaced by {@code _}, is cut to fit and ends with {@code _} and eight hex digits of its SHA-256, so two such names
 * stay apart.
 */
final class McpNames {

    static final Pattern SERVER = Pattern.compile("[a-z][a-z0-9-]{0,30}");
    static final String SEPARATOR = "__";
    private static final int MAX_LENGTH = 64;
    private static final Pattern FITS = Pattern.compile("[a-zA-Z0-9_-]+");
    private static final int HASH_CHARS = 8;

    private McpNames() {
    }

    static String offered(String server, String tool) {
        String plain = server + SEPARATOR + tool;
        if (FITS.matcher(tool).matches() && plain.length() <= MAX_LENGTH) {
            return plain;
        }
        String hash = "_" + hash(tool);
        String cleaned = tool.replaceAll("[^a-zA-Z0-9_-]", "_");
        int room = MAX_LENGTH - server.length() - SEPARATOR.length() - hash.length();
        return server + SEPARATOR + cleaned.substring(0, Math.min(room, cleaned.length())) + hash;
    }

    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, HASH_CHARS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
