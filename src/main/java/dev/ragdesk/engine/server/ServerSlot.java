package dev.ragdesk.engine.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A shell, already in a session of its own, that becomes the next llama-server: it reads the API
 * key and the command line from a pipe, then execs the server, which keeps its pid, session and
 * output pipe. Started ahead of a swap (see {@link Spare}), it takes the process creation off
 * the swap's path; the server itself still starts only when told to, after the previous one is
 * gone. The key travels through the pipe into the server's environment, which only this user can
 * read, never onto a command line that every user sees in ps.
 */
final class ServerSlot extends Spare.Helper {
    private static final String SCRIPT = "IFS= read -r key || exit 0; IFS= read -r n || exit 0; set --;"
            + " while [ $# -lt \"$n\" ]; do IFS= read -r arg || exit 0; set -- \"$@\" \"$arg\"; done;"
            + " LLAMA_API_KEY=\"$key\"; export LLAMA_API_KEY; exec \"$@\"";

    /** An argument the pipe cannot carry: no other slot would do better. */
    static final class Unpassable extends IOException {
        Unpassable(String message) { super(message); }
    }

    private ServerSlot(Process process) {
        super(process);
    }

    static ServerSlot start() throws IOException {
        return new ServerSlot(shell(SCRIPT).redirectErrorStream(true).start());
    }

    /** Runs {@code command} with the key in its environment; the returned process is the server. */
    Process exec(String apiKey, List<String> command) throws IOException {
        var lines = new StringBuilder(apiKey).append('\n').append(command.size()).append('\n');
        for (var arg : command) {
            if (arg.indexOf('\n') >= 0 || arg.indexOf('\r') >= 0) {
                end();
                throw new Unpassable("llama-server cannot be given a path with a line break in it: rename "
                        + arg.replace("\n", "\\n").replace("\r", "\\r"));
            }
            lines.append(arg).append('\n');
        }
        try (var stdin = process.getOutputStream()) {
            stdin.write(lines.toString().getBytes(StandardCharsets.UTF_8));
        }
        return process;
    }
}
