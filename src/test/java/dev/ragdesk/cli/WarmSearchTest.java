package dev.ragdesk.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** `ragdesk search` through the workspace's warm server: the real serve-searches command, in this JVM. */
class WarmSearchTest {

    @TempDir Path home;

    private static final Map<String, String> ENV = Map.of("HOME", "/nonexistent-home");

    @Test
    void onlySearchLinesAreServedAndTheirWorkspaceIsMadeAbsolute() {
        var env = Map.of("RAGDESK_HOME", "relative/ws");
        var line = WarmSearch.parse(new String[] {"search", "lamp"}, env).orElseThrow();
        assertEquals(Path.of("relative/ws").toAbsolutePath(), line.workspace().home());
        assertEquals(List.of("--home", Path.of("relative/ws").toAbsolutePath().toString(), "search", "lamp"), line.forServer());
        assertEquals(List.of("search", "--top", "3", "lamp"),
                WarmSearch.parse(new String[] {"search", "--home", "/w", "--top", "3", "lamp"}, env).orElseThrow().args());
        assertEquals(Path.of("/w"), WarmSearch.parse(new String[] {"--home=/w", "search", "x"}, env).orElseThrow().workspace().home());
        assertEquals(List.of("search", "--", "-v"), WarmSearch.parse(new String[] {"search", "--", "-v"}, env).orElseThrow().args(),
                "after --, -v is the query");
        for (var notServed : List.of(new String[] {"index", "docs"}, new String[] {"search", "--help"}, new String[] {"-v", "search", "x"},
                new String[] {"search", "x", "--verbose"}, new String[] {"--version"}, new String[] {}, new String[] {"--home"},
                new String[] {"ask", "search"})) {
            assertTrue(WarmSearch.parse(notServed, env).isEmpty(), String.join(" ", notServed));
        }
    }

    private record Forwarded(int code, String out, String err) {}

    private Forwarded forward(Map<String, String> env, String... args) {
        var argv = new java.util.ArrayList<>(List.of("--home", home.toString()));
        argv.addAll(List.of(args));
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var code = WarmSearch.forward(argv.toArray(String[]::new), env, out, err);
        return code.isPresent() ? new Forwarded(code.getAsInt(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)) : null;
    }

    /** Waits for the server to publish its endpoint: file events, not sleeps. */
    private static void awaitFile(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        try (var watcher = FileSystems.getDefault().newWatchService()) {
            file.getParent().register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(file)) {
                long left = deadline - System.nanoTime();
                assertTrue(left > 0, "no " + file + " within 60 s");
                var key = watcher.poll(left, TimeUnit.NANOSECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
        }
    }

    @Test
    @Timeout(120)
    void aServedSearchPrintsWhatTheSameSearchPrintsInItsOwnProcessAndSeesNewDocuments() throws Exception {
        var docs = Files.createDirectories(home.resolve("docs"));
        Files.writeString(docs.resolve("lamp.md"), "# Lighthouse\n\nThe keeper lights the lamp at dusk.\n");
        assertEquals(0, CliRun.in(home, ENV, "index", docs.toString()).code());
        assertNull(forward(ENV, "search", "lamp"), "no server yet: the caller runs it");

        var serving = CompletableFuture.supplyAsync(() -> CliRun.in(home, ENV, WarmSearch.SERVE_COMMAND));
        awaitFile(new dev.ragdesk.config.Workspace(home).searchServerEndpoint());

        for (var args : List.of(List.of("search", "lamp"), List.of("search", "--json", "keeper", "dusk"),
                List.of("search", "--top", "0", "lamp"), List.of("search", "-lamp"))) {
            var own = CliRun.in(home, ENV, args.toArray(String[]::new));
            var served = forward(ENV, args.toArray(String[]::new));
            assertNotNull(served, "served: " + args);
            assertEquals(own.out(), served.out(), String.join(" ", args));
            assertEquals(own.err(), served.err(), String.join(" ", args));
            assertEquals(own.code(), served.code(), String.join(" ", args));
        }

        Files.writeString(docs.resolve("tide.md"), "# Harbour\n\nThe tide table hangs by the pier.\n");
        assertEquals(0, CliRun.in(home, ENV, "index", docs.toString()).code());
        var fresh = forward(ENV, "search", "tide");
        assertNotNull(fresh);
        assertTrue(fresh.out().contains("tide.md"), "a document indexed after the server started: " + fresh.out());

        var otherCaches = new java.util.HashMap<>(ENV);
        otherCaches.put("HF_HOME", home.resolve("elsewhere").toString());
        assertNull(forward(otherCaches, "search", "lamp"), "a client whose model caches differ is not served");
        assertEquals(0, serving.get(60, TimeUnit.SECONDS).code(), "and the server stepped aside");
    }
}
