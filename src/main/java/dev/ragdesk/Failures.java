package dev.ragdesk;

/**
 * Turns any failure into the one line a user sees. Expected failures carry their own message;
 * anything else is a bug, said plainly, with where the details are.
 */
public final class Failures {
    public static final String LOG_HINT = "details in .data/logs/ragdesk.log";

    private Failures() {}

    public static String oneLine(Throwable e) {
        if (e instanceof RagdeskException r && r.getMessage() != null) return firstLine(r.getMessage());
        if (e instanceof OutOfMemoryError) {
            return "ran out of memory (" + firstLine(String.valueOf(e.getMessage())) + "); " + LOG_HINT;
        }
        return "internal error (" + e.getClass().getSimpleName() + "); " + LOG_HINT;
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }
}
