package dev.ragdesk.bench;

import dev.ragdesk.engine.ModelRequest;

import java.nio.file.Path;

/**
 * A JVM that starts the benchmarks' bare llama-server, asks it once, prints its pid, then waits
 * to be killed: a bench killed with SIGKILL must not leave its server holding memory.
 * Args: binary, model, run folder.
 */
public final class HoldBareServerMain {
    public static void main(String[] args) throws Exception {
        var model = Path.of(args[1]);
        var server = BareServer.start(Path.of(args[0]), java.util.Map.of(), Path.of(args[2]),
                new ModelRequest("rag", ModelRequest.displayNameOf(model), model, 512, 0, 1, false));
        server.complete("Once", 2);
        System.out.println("server " + server.pid());
        System.out.flush();
        System.in.read(); // until killed
    }
}
