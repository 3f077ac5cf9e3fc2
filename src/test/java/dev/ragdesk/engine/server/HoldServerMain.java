package dev.ragdesk.engine.server;

import dev.ragdesk.engine.GenerateRequest;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.engine.ModelRequest;

import java.nio.file.Path;
import java.util.List;

/**
 * A JVM that loads a model into llama-server through the real host and answers once, prints the
 * server's pid, then waits to be killed: {@link ServerWatchdogTest} kills it with SIGKILL.
 * Args: binary, model, the workspace's run folder.
 */
public final class HoldServerMain {
    public static void main(String[] args) throws Exception {
        var launcher = new ServerLauncher(LlamaServers.check(Path.of(args[0]), "the test"), Accelerator.cpu("the test"), Path.of(args[2]));
        var host = new ModelHost(launcher, e -> {}, ModelHost.Options.defaults().withPrestart(false));
        var model = Path.of(args[1]);
        var active = host.activate(new ModelRequest("rag", ModelRequest.displayNameOf(model), model, 512, 0, 1, false));
        host.generate(new GenerateRequest("Once", 2, 0.0, 1, List.of()), t -> {}).await();
        System.out.println("server " + active.pid());
        System.out.flush();
        System.in.read(); // until killed
    }
}
