package dev.parley.simulator;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Signs the thinking blocks the simulator emits, so that a thinking block sent back modified is rejected with a 400
 * like on the real API (§5.5), and one sent back after another prefix too (§9: thinking is bound to the model and the
 * prefix that produced it). A signature names the model that made the block and holds two MACs: one over the text,
 * one over the text and its prefix, so the refusals can be told apart.
 */
@ApplicationScoped
public class ThinkingSignatures {

    /** What a thinking block sent back is. */
    enum Check {
        VALID,
        /** Not a signature of this text: the block was edited or made up. */
        ALTERED,
        /** The text is as produced, but after another system prompt, tools or earlier messages. */
        OTHER_PREFIX
    }

    private static final int MAC_BYTES = 32;

    private final byte[] key = new byte[32];

    ThinkingSignatures() {
        new SecureRandom().nextBytes(key);
    }

    String sign(String thinking, String model, String prefix) {
        byte[] name = model.getBytes(StandardCharsets.UTF_8);
        ByteBuffer signature = ByteBuffer.allocate(1 + name.length + 2 * MAC_BYTES);
        signature.put((byte) name.length).put(name);
        signature.put(mac("text", model, thinking)).put(mac("prefix", model, prefix + "\u0000" + thinking));
        return Base64.getEncoder().encodeToString(signature.array());
    }

    Check verify(String thinking, String signature, String prefix) {
        byte[] given = decode(signature);
        String model = producer(signature);
        int macs = given.length - 2 * MAC_BYTES;
        if (model.isEmpty() || !MessageDigest.isEqual(mac("text", model, thinking),
                Arrays.copyOfRange(given, macs, macs + MAC_BYTES))) {
            return Check.ALTERED;
        }
        return MessageDigest.isEqual(mac("prefix", model, prefix + "\u0000" + thinking),
                Arrays.copyOfRange(given, macs + MAC_BYTES, given.length)) ? Check.VALID : Check.OTHER_PREFIX;
    }

    /** The model a signature says made its block; empty for a signature this simulator did not make. */
    String producer(String signature) {
        byte[] given = decode(signature);
        if (given.length < 1 + 2 * MAC_BYTES || given.length != 1 + (given[0] & 0xff) + 2 * MAC_BYTES) {
            return "";
        }
        return new String(given, 1, given[0] & 0xff, StandardCharsets.UTF_8);
    }

    private static byte[] decode(String signature) {
        try {
            return Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private byte[] mac(String purpose, String model, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal((purpose + "\u0000" + model + "\u0000" + text).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
