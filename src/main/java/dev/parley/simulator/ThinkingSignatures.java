package dev.parley.simulator;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Signs the thinking blocks the simulator emits, so that a thinking block sent back modified is rejected with a 400
 * like on the real API (§5.5): a client that does not pass thinking back unchanged fails against the simulator too.
 */
@ApplicationScoped
public class ThinkingSignatures {

    private final byte[] key = new byte[32];

    ThinkingSignatures() {
        new SecureRandom().nextBytes(key);
    }

    String sign(String thinking) {
        return Base64.getEncoder().encodeToString(mac(thinking));
    }

    boolean verify(String thinking, String signature) {
        byte[] given;
        try {
            given = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(mac(thinking), given);
    }

    private byte[] mac(String thinking) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(thinking.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
