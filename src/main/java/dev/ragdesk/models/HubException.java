package dev.ragdesk.models;

import dev.ragdesk.RagdeskException;

/** A hub answer that retrying cannot fix (401, 403, 404) or that kept failing. */
public final class HubException extends RagdeskException {
    private final int status;

    public HubException(int status, String message) {
        super(message);
        this.status = status;
    }

    /** The HTTP status, or 0 when the failure was not an HTTP answer. */
    public int status() { return status; }
}
