package dev.ragdesk.engine.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;

/** Keeps one {@link Watchdog} started ahead of the next llama-server, so a swap never waits for one. */
final class Watchdogs implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Watchdogs.class);
    private Watchdog spare;
    private boolean closed;

    /** The waiting watchdog, or a new one when none is ready. */
    synchronized Watchdog take() throws IOException {
        var taken = spare != null && spare.isAlive() ? spare : Watchdog.start();
        spare = null;
        return taken;
    }

    /** Starts the next one, off the swap path: after an answer, or when the host warms up. */
    void replenish() {
        synchronized (this) {
            if (closed || (spare != null && spare.isAlive())) return;
        }
        Watchdog started;
        try {
            started = Watchdog.start();
        } catch (IOException e) {
            log.debug("no spare watchdog: {}", e.toString()); // the next server starts its own
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

    /** The waiting watchdog's pid, for tests. */
    synchronized java.util.OptionalLong sparePid() {
        return spare != null ? java.util.OptionalLong.of(spare.pid()) : java.util.OptionalLong.empty();
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (spare != null) spare.end();
        spare = null;
    }
}
