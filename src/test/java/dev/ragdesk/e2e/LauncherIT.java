package dev.ragdesk.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** bin/ragdesk's class-data archive for ragdesk's own JVM: recorded once, then mapped, as the JVM itself reports. */
class LauncherIT {

    @TempDir Path home;

    private record Run(int code, String out) {}

    private static Run launch(Path repo, Path home, String javaOptions, String... args) throws Exception {
        var command = new java.util.ArrayList<>(List.of(repo.resolve("bin/ragdesk").toString(), "--home", home.toString()));
        command.addAll(List.of(args));
        var pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("RAGDESK_JAVA_OPTS", javaOptions);
        var p = pb.start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    @Test
    @Timeout(180)
    void theLauncherRecordsAnArchiveOnceAndLaterStartsMapIt() throws Exception {
        var repo = Path.of(System.getProperty("ragdesk.repo", ".")).toRealPath();
        var archive = repo.resolve(".data/tmp/cds/main.jsa");
        var lock = repo.resolve(".data/tmp/cds/recording.lock");
        awaitNoRecorder(lock); // an earlier test's start may still be recording
        Files.deleteIfExists(archive);
        // a recorder killed mid-way left its lock: one whose process is gone must not block recording
        var dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Files.createDirectories(lock);
        Files.writeString(lock.resolve("pid"), dead.pid() + "\n");

        var first = launch(repo, home, "", "config");
        assertEquals(0, first.code(), first.out());
        // the recorder runs in the background, after the first start: wait for its file, bounded
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.isRegularFile(archive) && System.nanoTime() < deadline) {
            Thread.sleep(100); // polling a file another process writes; it announces nothing else
        }
        assertTrue(Files.isRegularFile(archive), "bin/ragdesk recorded " + archive);
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(repo.resolve(".data"))), "inside .data, which is the owner's only");

        // the JVM's own log says whether it mapped the archive: the independent judge
        var second = launch(repo, home, "-Xlog:cds=info:stdout", "config", "--path");
        assertEquals(0, second.code(), second.out());
        assertTrue(second.out().contains("Opened archive " + archive), second.out());
        assertTrue(second.out().contains("Mapped static  region"), second.out());

        var off = new ProcessBuilder(repo.resolve("bin/ragdesk").toString(), "--home", home.toString(), "config", "--path")
                .redirectErrorStream(true);
        off.environment().put("RAGDESK_CDS", "off");
        off.environment().put("RAGDESK_JAVA_OPTS", "-Xlog:cds=info:stdout");
        var p = off.start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertFalse(out.contains("Opened archive " + archive), "RAGDESK_CDS=off: " + out);
    }

    /**
     * A search through bin/ragdesk leaves a warm server; the next search is answered by it (the
     * server's own log says so) with the same output; after a kill -9 of the server, searches run
     * in their own process again and a new server takes over.
     */
    @Test
    @Timeout(300)
    void aSearchLeavesAWarmServerThatAnswersTheNextOneAndAKilledServerIsReplaced() throws Exception {
        var repo = Path.of(System.getProperty("ragdesk.repo", ".")).toRealPath();
        var docs = Files.createDirectories(home.resolve("docs"));
        Files.writeString(docs.resolve("lamp.md"), "# Lighthouse\n\nThe keeper lights the lamp at dusk.\n");
        var workspace = new dev.ragdesk.config.Workspace(home);
        var lock = workspace.searchServerLock();
        try {
            assertEquals(0, launch(repo, home, "", "index", docs.toString()).code());
            var first = launch(repo, home, "", "search", "lamp");
            assertEquals(0, first.code(), first.out());
            assertTrue(first.out().contains("lamp.md"), first.out());

            var server = awaitServer(lock, -1);
            assertTrue(server.info().commandLine().orElse("").contains("serve-searches"), server.info().toString());
            var status = launch(repo, home, "", "status", "--json");
            var serverLine = new com.fasterxml.jackson.databind.ObjectMapper().readTree(status.out()).get("search_server");
            assertEquals(server.pid(), serverLine.get("pid").asLong(), "status names the running server: " + status.out());
            var log = workspace.logs().resolve("ragdesk.log");
            long answeredBefore = answered(log);
            var second = launch(repo, home, "", "search", "lamp");
            assertEquals(first, second, "the same output and exit code");
            assertEquals(answeredBefore + 1, answered(log), "answered by the server");

            server.destroyForcibly();
            server.onExit().get(30, TimeUnit.SECONDS);
            var third = launch(repo, home, "", "search", "lamp");
            assertEquals(first, third, "after a kill -9 of the server");
            var replacement = awaitServer(lock, server.pid());
            assertNotEquals(server.pid(), replacement.pid());
        } finally {
            dev.ragdesk.warm.WarmServer.running(lock).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static void awaitNoRecorder(Path lock) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            long pid;
            try {
                pid = Long.parseLong(Files.readString(lock.resolve("pid")).strip());
            } catch (java.io.IOException | NumberFormatException e) {
                return; // no lock, or one without a recorder
            }
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                Thread.sleep(100); // another process: nothing to wait on but its files
            } else {
                return;
            }
        }
    }

    private static long answered(Path log) throws Exception {
        try (var lines = Files.lines(log)) {
            return lines.filter(l -> l.contains("answered a command")).count();
        }
    }

    /** The server holding the lock once its endpoint is published, other than {@code notPid}; polled, as it is another process. */
    private static ProcessHandle awaitServer(Path lock, long notPid) throws Exception {
        var endpoint = lock.resolveSibling("search.endpoint");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            var server = dev.ragdesk.warm.WarmServer.running(lock);
            if (server.isPresent() && server.get().pid() != notPid && Files.exists(endpoint)
                    && Files.getLastModifiedTime(endpoint).toInstant().isAfter(server.get().info().startInstant().orElseThrow())) {
                return server.get();
            }
            Thread.sleep(100); // another process: nothing to wait on but its files
        }
        throw new AssertionError("no warm server appeared within 120 s");
    }
}
