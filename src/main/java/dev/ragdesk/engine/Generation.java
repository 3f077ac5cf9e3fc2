package dev.ragdesk.engine;

import dev.ragdesk.RagdeskException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/** A running generation: await its result, or cancel it (the result then says "cancelled"). */
public final class Generation {
    private final String id;
    private final CompletableFuture<GenerationResult> result;
    private final Runnable canceller;

    Generation(String id, CompletableFuture<GenerationResult> result, Runnable canceller) {
        this.id = id;
        this.result = result;
        this.canceller = canceller;
    }

    public String id() { return id; }

    public CompletableFuture<GenerationResult> result() { return result; }

    /** Stops token delivery at once and tells the worker to stop after its current token. */
    public void cancel() { canceller.run(); }

    public GenerationResult await() throws RagdeskException, InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            var cause = e.getCause();
            if (cause instanceof RagdeskException r) throw r;
            throw new RagdeskException(String.valueOf(cause.getMessage()), cause);
        }
    }
}
