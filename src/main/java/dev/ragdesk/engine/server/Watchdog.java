package dev.ragdesk.engine.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A small shell process that kills one llama-server if this JVM dies without ending it: it
 * reads the server's pid from a pipe held by this JVM, then waits for that pipe to close, which
 * happens on any exit, kill -9 included. Without it a killed app would leave a server holding
 * GPU memory that nobody can reach.
 *
 * <p>It is started before the server it guards is known (see {@link Spare}); one that never
 * gets a pid exits when the pipe closes.
 */
final class Watchdog extends Spare.Helper {
    private static final String SCRIPT = "trap '' INT; read pid || exit 0; cat >/dev/null; kill -9 \"$pid\" 2>/dev/null";

    private Watchdog(Process process) {
        super(process);
    }

    static Watchdog start() throws IOException {
        return new Watchdog(shell(SCRIPT).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start());
    }

    /** Starts guarding {@code serverPid}: from now on this JVM's end is that server's end. */
    void guard(long serverPid) throws IOException {
        var stdin = process.getOutputStream();
        stdin.write((serverPid + "\n").getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
    }

}
