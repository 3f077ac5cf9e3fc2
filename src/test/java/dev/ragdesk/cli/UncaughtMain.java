package dev.ragdesk.cli;

import dev.ragdesk.config.Workspace;
import dev.ragdesk.log.Logging;

import java.nio.file.Path;

/** A JVM set up as ragdesk's main sets itself up, in which a thread dies of an unexpected exception. */
public final class UncaughtMain {
    public static void main(String[] args) throws Exception {
        Main.logUncaughtExceptions();
        Logging.toWorkspace(new Workspace(Path.of(args[0])).ensureDataDirs(), false);
        var dying = new Thread(() -> {
            throw new IllegalStateException("a slip on a background thread");
        }, "some-worker");
        dying.start();
        dying.join();
        System.out.println("still here");
    }
}
