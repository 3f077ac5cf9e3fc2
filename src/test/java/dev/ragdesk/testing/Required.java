package dev.ragdesk.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a test needs from the machine (llama-server, tmux): without it the test skips with a
 * message, so the suite passes in a fresh clone; but where {@code RAGDESK_STRICT=1} (CI sets it
 * once it has installed everything), a missing need fails the test, since a skip there would
 * let CI go green with whole areas untested.
 */
public final class Required {
    public static final String STRICT = "RAGDESK_STRICT";

    private Required() {}

    public static boolean strict() {
        return "1".equals(System.getenv(STRICT)) || Boolean.getBoolean("ragdesk.strict");
    }

    /** Skips (or, strict, fails) unless {@code present}; {@code message} says what is missing and how to get it. */
    public static void that(boolean present, String message) {
        if (present) return;
        if (strict()) fail(message + " (" + STRICT + "=1: a missing need fails instead of skipping)");
        assumeTrue(false, "skipped: " + message);
    }
}
