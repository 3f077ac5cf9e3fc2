package dev.ragdesk.engine.server;

import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.engine.ModelRequest;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A JVM that loads a model into llama-server through the real host and answers once, prints the
 * server's pid and those of the spare watchdog and server slot, then waits to be killed: {@link ServerWatchdogTest} kills it with SIGKILL.
 */
public final class HoldServerMain {
    public static void main(String[] args) throws Exception {
        var launcher = new ServerLauncher(LlamaServers.check(Path.of(args[0]), "the test"));
        var host = new ModelHost(launcher, e -> {}, ModelHost.Options.defaults().withPrestart(false));
        var model = Path.of(args[1]);
        var active = host.activate(new ModelRequest("rag", ModelRequest.displayNameOf(model), model, 512, 0, 1, false));
        System.out.println("server " + active.pid());
        host.generate(new dev.ragdesk.engine.GenerateRequest("Once", 2, 0.0, 1, java.util.List.of()), t -> {}).await();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        var helpers = launcher.helpers();
        while ((helpers.watchdogs().sparePid().isEmpty() || helpers.slots().sparePid().isEmpty()) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // replenished by the answer's reader thread, after the answer
        }
        System.out.println("spare " + helpers.watchdogs().sparePid().orElse(0));
        System.out.println("slot " + helpers.slots().sparePid().orElse(0));
        System.out.flush();
        System.in.read(); // until killed
    }
}
