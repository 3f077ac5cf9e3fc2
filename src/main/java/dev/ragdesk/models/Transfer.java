package dev.ragdesk.models;

import okhttp3.Call;

/**
 * A cancellable download in progress. Cancelling stops the transfer at once (the current HTTP
 * call is cancelled too) and keeps the partial file for a later resume.
 */
public final class Transfer {
    private volatile boolean cancelled;
    private volatile Call call;

    public void cancel() {
        cancelled = true;
        var c = call;
        if (c != null) c.cancel();
    }

    public boolean isCancelled() { return cancelled; }

    void track(Call call) {
        this.call = call;
        if (cancelled) call.cancel();
    }
}
