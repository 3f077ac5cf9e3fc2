package dev.ragdesk;

/**
 * A failure the user can act on. Its message is one line that says what went wrong and what
 * to do next; it is shown as is, without a stack trace (which goes to the log).
 */
public class RagdeskException extends Exception {
    public RagdeskException(String message) { super(message); }
    public RagdeskException(String message, Throwable cause) { super(message, cause); }
}
