package dev.ragdesk.app;

/** The exit statuses every command uses. */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int RUNTIME_ERROR = 1;
    public static final int USAGE = 2;
    public static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
