package dev.ragdesk.engine;

import java.nio.file.Path;

/**
 * Child-JVM entry point for the parent-death test: loads a model through a real host, prints
 * {@code worker=<pid>}, then waits to be killed.
 */
public final class HostProbe {
    public static void main(String[] args) throws Exception {
        var h = new HostHarness(Path.of(args[0]), false);
        var model = h.host.activate(HostHarness.request("chat", Path.of(args[1])));
        System.out.println("worker=" + model.pid());
        System.out.flush();
        Thread.currentThread().join(); // until killed
    }
}
