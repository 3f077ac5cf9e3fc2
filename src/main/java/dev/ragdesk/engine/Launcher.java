package dev.ragdesk.engine;

import java.io.IOException;

/** Starts {@link Worker}s of one engine kind. */
public interface Launcher {
    /** "jvm" or "llama-server": what status and the log call this engine. */
    String kind();

    Worker start() throws IOException;

    /** What the models compute on: "cpu", or the GPU backend ("cuda13"), as the console's status bar shows it. */
    default String computesOn() { return "cpu"; }

    /**
     * Whether a worker can usefully be started before its model is known: a JVM with the native
     * library loaded can, llama-server takes its model on the command line and cannot.
     */
    default boolean prestarts() { return false; }

    /** Work that makes later starts faster, done once off the swap path. */
    default void warmUp() {}

    /** Ends what the launcher keeps ready for later starts; the workers it started are the host's to end. */
    default void close() {}
}
