package dev.ragdesk.engine.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Keeps one small helper process started ahead of the next llama-server, so that a swap takes a
 * waiting one instead of waiting for a fork and two execs (2-5 ms on a busy 2-core machine).
 * A helper that is never used exits when this JVM does: it reads a pipe that closes then.
 */
final class Spare<T extends Spare.Helper> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Spare.class);

    /** A helper process: a small shell script. */
    abstract static class Helper {
        /** Runs a program in a session of its own, so the terminal's Ctrl-C does not reach it; absent on some systems. */
        private static final Path SETSID = Path.of("/usr/bin/setsid");

        final Process process;

        Helper(Process process) {
            this.process = process;
        }

        /** {@code script} for /bin/sh, in a session of its own. */
        static ProcessBuilder shell(String script) {
            var cmd = new ArrayList<String>();
            if (Files.isExecutable(SETSID)) cmd.add(SETSID.toString());
            cmd.addAll(List.of("/bin/sh", "-c", script));
            return new ProcessBuilder(cmd);
        }

        boolean isAlive() { return process.isAlive(); }

        long pid() { return process.pid(); }

        /** Ends the process; for one still waiting, and for one whose work is over. */
        void end() {
            process.destroyForcibly();
        }
    }

    @FunctionalInterface
    interface Starter<T> {
        T start() throws IOException;
    }

    private final String what;
    private final Starter<T> starter;
    private T spare;
    private boolean closed;

    Spare(String what, Starter<T> starter) {
        this.what = what;
        this.starter = starter;
    }

    /** The waiting helper, or a new one when none is ready. */
    synchronized T take() throws IOException {
        var taken = spare != null && spare.isAlive() ? spare : starter.start();
        spare = null;
        return taken;
    }

    /** Starts the next one, off the swap path: after an answer, or when the host warms up. */
    void replenish() {
        synchronized (this) {
            if (closed || (spare != null && spare.isAlive())) return;
        }
        T started;
        try {
            started = starter.start();
        } catch (IOException e) {
            log.debug("no spare {}: {}", what, e.toString()); // the next server starts its own
            return;
        }
        synchronized (this) {
            if (closed || (spare != null && spare.isAlive())) {
                started.end();
            } else {
                spare = started;
            }
        }
    }

    /** The waiting helper's pid, for tests. */
    synchronized OptionalLong sparePid() {
        return spare != null ? OptionalLong.of(spare.pid()) : OptionalLong.empty();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (spare != null) spare.end();
        spare = null;
    }
}
