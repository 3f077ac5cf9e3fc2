package dev.ragdesk.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns Ctrl-C into a cooperative cancel for one command: the first SIGINT runs the
 * command's cancel action and interrupts its thread, so it can stop its worker and exit 130
 * with nothing left behind. SIGTERM takes the JVM's normal shutdown path.
 */
final class Interrupts implements AutoCloseable {
    private final AtomicBoolean fired = new AtomicBoolean();
    private final SignalHandler previous;
    private volatile Runnable onInterrupt = () -> {};

    Interrupts() {
        var commandThread = Thread.currentThread();
        SignalHandler handler = signal -> {
            if (fired.getAndSet(true)) return;
            onInterrupt.run();
            commandThread.interrupt();
        };
        SignalHandler installed;
        try {
            installed = Signal.handle(new Signal("INT"), handler);
        } catch (IllegalArgumentException e) {
            installed = null; // no SIGINT on this platform: the JVM default applies
        }
        previous = installed;
    }

    /** What to do on Ctrl-C besides interrupting the command thread, e.g. cancel a generation. */
    void onInterrupt(Runnable action) { onInterrupt = action; }

    boolean fired() { return fired.get(); }

    @Override
    public void close() {
        if (previous != null) Signal.handle(new Signal("INT"), previous);
        Thread.interrupted(); // clear a late interrupt so it does not leak into the caller
    }
}
