package dev.ragdesk.process;

import java.util.concurrent.ThreadFactory;

/**
 * ragdesk's own threads are daemons with a name: a daemon, so a forgotten one never keeps the
 * JVM alive after the user quits; named, so the log and a thread dump say what each one does.
 */
public final class Threads {
    private Threads() {}

    /** A factory of daemon threads called {@code name}, for executors. */
    public static ThreadFactory daemon(String name) {
        return task -> configured(new Thread(task, name));
    }

    /** The same with a stack of {@code stackBytes}: native libraries that recurse deeply need more than Java's 1 MB. */
    public static ThreadFactory daemon(String name, long stackBytes) {
        return task -> configured(new Thread(null, task, name, stackBytes));
    }

    /** Starts {@code body} on a daemon thread called {@code name}. */
    public static Thread start(Runnable body, String name) {
        var thread = configured(new Thread(body, name));
        thread.start();
        return thread;
    }

    private static Thread configured(Thread thread) {
        thread.setDaemon(true);
        return thread;
    }
}
