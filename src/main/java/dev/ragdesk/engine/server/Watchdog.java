package dev.ragdesk.engine.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * A small shell process that kills one llama-server if this JVM dies without ending it: it
 * reads the server's pid from a pipe held by this JVM, then waits for that pipe to close, which
 * happens on any exit, kill -9 included. Without it a killed app would leave a server holding
 * GPU memory that nobody can reach.
 *
 * <p>It is started before the server it guards is known (see {@link Spare}); one that never
 * gets a pid exits when the pipe closes.
 */
final class Watchdog implements Spare.Helper {
    private static final String SCRIPT = "trap '' INT; read pid || exit 0; cat >/dev/null; kill -9 \"$pid\" 2>/dev/null";

    private final Process process;

    private Watchdog(Process process) {
        this.process = process;
    }

    static Watchdog start() throws IOException {
        var cmd = new ArrayList<String>();
        if (Files.isExecutable(ServerWorker.SETSID)) cmd.add(ServerWorker.SETSID.toString());
        cmd.addAll(List.of("/bin/sh", "-c", SCRIPT));
        return new Watchdog(new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start());
    }

    @Override
    public boolean isAlive() { return process.isAlive(); }

    @Override
    public long pid() { return process.pid(); }

    /** Starts guarding {@code serverPid}: from now on this JVM's end is that server's end. */
    void guard(long serverPid) throws IOException {
        var stdin = process.getOutputStream();
        stdin.write((serverPid + "\n").getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
    }

    /** The server is gone (or never started): nothing left to guard. */
    @Override
    public void end() {
        process.destroyForcibly();
    }
}
