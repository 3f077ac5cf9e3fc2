package dev.ragdesk.models;

import java.nio.file.Path;

/**
 * Child-JVM entry point for the kill -9 test: downloads one role's model from a hub endpoint
 * and prints {@code bytes=N} as progress arrives, until it is killed.
 */
public final class DownloadProbe {
    public static void main(String[] args) throws Exception {
        var hub = new HubClient(args[0], null);
        var target = new ModelInstaller.Target("chat", args[1], "main", args[2], "", Path.of(args[3]));
        var installer = new ModelInstaller(hub, Downloader.forHub(hub), new HfCache(Path.of(args[3]).resolveSibling("no-cache")));
        installer.install(target, p -> {
            System.out.println("bytes=" + p.done());
            System.out.flush();
        }, new Transfer());
        System.out.println("finished");
        System.exit(0);
    }
}
