package dev.ragdesk.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One process that holds at most one model, as {@link ModelHost} drives it, whatever runs
 * inside: a java-llama.cpp JVM ({@link WorkerProcess}) or llama.cpp's own llama-server
 * ({@code engine.server}). Both speak in {@link Protocol} requests and events, so the host's
 * guarantees (one model, swap waits for the exit, crash reported) hold for each. Ending the
 * process is what frees the model's memory.
 */
public interface Worker {
    /** The OS process id, 0 while no process runs yet. */
    long pid();

    boolean isAlive();

    /** True once it was told to stop or killed: an exit after that is expected, not a crash. */
    boolean isStopping();

    /** Completes when the worker can take a {@link Protocol.Load}; at once for engines that start with their model. */
    default CompletableFuture<Protocol.Ready> ready() {
        return CompletableFuture.completedFuture(new Protocol.Ready(0, 0));
    }

    CompletableFuture<Protocol.Loaded> load(Protocol.Load request);

    /** Sends a generate request; {@code sink} receives its token, done and error events. */
    void stream(Protocol.Generate request, Consumer<Protocol.Event> sink);

    void endStream(String id);

    /** Requests without a reply: {@link Protocol.Cancel}. */
    void send(Protocol.Request request);

    /** A request answered by one event with the same id: {@link Protocol.Tokenize}, {@link Protocol.ApplyTemplate}. */
    CompletableFuture<Protocol.Event> ask(String id, Protocol.Request request);

    /** Completes with the exit code once the process is gone. */
    CompletableFuture<Integer> exited();

    /** The most telling recent log line for a failure (llama.cpp's reason for refusing a file), or empty. */
    String diagnosis();

    /** Kills the process without waiting for it. */
    void kill();

    /** Ends the process and returns once it is gone (or the timeout passed). */
    void shutdown(Duration timeout);
}
