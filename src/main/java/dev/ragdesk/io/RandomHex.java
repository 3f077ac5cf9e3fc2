package dev.ragdesk.io;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Unguessable names and keys: per-launch API keys, socket names nobody could have prepared. */
public final class RandomHex {
    private static final SecureRandom RANDOM = new SecureRandom();

    private RandomHex() {}

    /** {@code bytes} random bytes as lowercase hex. */
    public static String of(int bytes) {
        var b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
