package dev.parley.simulator;

import java.util.concurrent.ThreadLocalRandom;

/** Identifiers in the formats the real API uses: {@code msg_01…}, {@code toolu_01…}, {@code req_011C…}. */
final class Ids {

    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
            .toCharArray();

    private Ids() {
    }

    static String message() {
        return "msg_01" + random(22);
    }

    static String toolUse() {
        return "toolu_01" + random(22);
    }

    static String request() {
        return "req_011C" + random(20);
    }

    private static String random(int length) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = BASE62[random.nextInt(BASE62.length)];
        }
        return new String(chars);
    }
}
