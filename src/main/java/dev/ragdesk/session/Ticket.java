package dev.ragdesk.session;

import dev.ragdesk.engine.Generation;
import dev.ragdesk.engine.GenerationResult;
import dev.ragdesk.rag.Passage;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One question from the moment it is queued until it ends. It can be cancelled at any point
 * (queued, while its model loads, while it streams), and it always ends exactly once, with
 * {@link End}: a UI that waits on {@link #done()} never waits for good.
 */
public final class Ticket {
    /** How a question ended. */
    public sealed interface End {
        record Answered(Mode mode, String model, long loadMs, GenerationResult result, List<Passage> citations) implements End {
            public boolean cancelled() { return result.cancelled(); }
        }

        /** {@code message} says what went wrong and what to do. */
        record Failed(String message) implements End {}

        record Cancelled() implements End {}
    }

    private final long id;
    private final String question;
    private final Session.Ask request;
    private final Conversation conversation;
    private final CompletableFuture<End> done = new CompletableFuture<>();
    private volatile boolean cancelled;
    private Generation generation; // guarded by this

    Ticket(long id, String question, Session.Ask request, Conversation conversation) {
        this.id = id;
        this.question = question;
        this.request = request;
        this.conversation = conversation;
    }

    public long id() { return id; }

    public String question() { return question; }

    /** Completes once, whatever happens to the question. */
    public CompletableFuture<End> done() { return done; }

    public boolean isDone() { return done.isDone(); }

    Session.Ask request() { return request; }

    /** The conversation the question was asked in, kept even if the user opens another meanwhile. */
    Conversation conversation() { return conversation; }

    boolean cancelled() { return cancelled; }

    /** Stops the question wherever it is; true if it had not ended yet. */
    boolean cancel() {
        if (done.isDone()) return false;
        Generation g;
        synchronized (this) {
            cancelled = true;
            g = generation;
        }
        if (g != null) g.cancel();
        return true;
    }

    /** Hands over the running generation; a ticket cancelled meanwhile stops it at once. */
    void attach(Generation g) {
        boolean stop;
        synchronized (this) {
            generation = g;
            stop = cancelled;
        }
        if (stop) g.cancel();
    }

    private final AtomicBoolean ending = new AtomicBoolean();

    /** The right to end this ticket: true once only, so it ends once even when a close races the model thread. */
    boolean claimEnd() {
        return ending.compareAndSet(false, true);
    }

    void finish(End end) {
        done.complete(end);
    }
}
