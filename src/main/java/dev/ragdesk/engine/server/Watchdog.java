package dev.ragdesk.engine.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A small shell that kills one llama-server if this JVM dies without ending it: it waits for a
 * pipe held by this JVM to close, which happens on any exit, kill -9 included. Without it a
 * killed app would leave a server holding (GPU) memory that nobody can reach. It runs in a
 * session of its own and ignores SIGINT, so the terminal's Ctrl-C and hang-up reach the app,
 * which decides, and not the guard.
 */
final class Watchdog {
    /** Runs a program in a session of its own; absent on some systems. */
    static final Path SETSID = Path.of("/usr/bin/setsid");

    private final Process process;

    private Watchdog(Process process) {
        this.process = process;
    }

    /** {@code command} in a session of its own, where setsid exists: its pid stays the program's own (setsid execs it). */
    static List<String> inOwnSession(List<String> command) {
        var cmd = new ArrayList<String>();
        if (Files.isExecutable(SETSID)) cmd.add(SETSID.toString());
        cmd.addAll(command);
        return cmd;
    }

    /** Starts guarding {@code serverPid}: from now on this JVM's end is that server's end. */
    static Watchdog guard(long serverPid) throws IOException {
        // builtins only (read, kill): a child such as cat would outlive a watchdog ended by end()
        var script = "trap '' INT HUP; while read -r _; do :; done; kill -9 " + serverPid + " 2>/dev/null";
        return new Watchdog(new ProcessBuilder(inOwnSession(List.of("/bin/sh", "-c", script)))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start());
    }

    /** The server ended by our hand or its own: nothing left to guard. */
    void end() {
        process.destroyForcibly();
    }
}
