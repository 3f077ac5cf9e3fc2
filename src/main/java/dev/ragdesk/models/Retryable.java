package dev.ragdesk.models;

import okhttp3.Response;

import java.time.Duration;

/** A transient hub failure worth another attempt: a dropped connection, 429, or 5xx. */
final class Retryable extends Exception {
    final int status;
    final Duration retryAfter;

    Retryable(int status, String message, Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    /** 429 and 5xx are worth waiting for, as long as Retry-After says when it says. */
    static void throwIfTransient(Response response) throws Retryable {
        int code = response.code();
        if (code == 429 || code >= 500) throw new Retryable(code, "HTTP " + code, Downloader.retryAfter(response));
    }
}
