package dev.ragdesk.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragdesk.testing.OtherUser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bin/ragdesk as a user runs it, from a clone of its own in a temporary folder (the launcher and
 * the built jar, copied), so that nothing here touches the developer's own .data: the class-data
 * archive recorded once and then mapped (the JVM's own log is the judge), files written private,
 * and a search that leaves no process behind.
 */
class LauncherIT {

    @TempDir Path tmp;
    Path clone;
    Path home;

    private record Run(int code, String out) {}

    @BeforeEach
    void cloneTheLauncher() throws Exception {
        var repo = Path.of(System.getProperty("ragdesk.repo", ".")).toRealPath();
        clone = tmp.resolve("clone");
        Files.createDirectories(clone.resolve("bin"));
        Files.createDirectories(clone.resolve("target"));
        Files.copy(repo.resolve("bin/ragdesk"), clone.resolve("bin/ragdesk"), StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(repo.resolve("target/ragdesk.jar"), clone.resolve("target/ragdesk.jar"), StandardCopyOption.COPY_ATTRIBUTES);
        home = Files.createDirectories(tmp.resolve("home"));
    }

    private Run launch(Map<String, String> env, String stdin, String... args) throws Exception {
        var command = new ArrayList<>(List.of(clone.resolve("bin/ragdesk").toString(), "--home", home.toString()));
        command.addAll(List.of(args));
        var pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        var p = pb.start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    private Run launch(String... args) throws Exception {
        return launch(Map.of(), "", args);
    }

    /** The recorder runs in the background after a first start; its archive appears when it is done. */
    private Path awaitArchive() throws Exception {
        var archive = clone.resolve(".data/tmp/cds/main.jsa");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && (!Files.isRegularFile(archive) || recorders() > 0)) {
            Thread.sleep(100); // another process's file: it announces nothing else
        }
        assertTrue(Files.isRegularFile(archive), "bin/ragdesk recorded " + archive);
        assertEquals(0, recorders(), "the recorder is gone once its archive is in place");
        return archive;
    }

    /** Processes of this clone's jar still running. */
    private long recorders() {
        var jar = clone.resolve("target/ragdesk.jar").toString();
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().arguments().map(a -> List.of(a).contains(jar)).orElse(false)).count();
    }

    @Test
    @Timeout(240)
    void theArchiveIsRecordedOnceThenMappedAndOffMeansOff() throws Exception {
        var first = launch("config");
        assertEquals(0, first.code(), first.out());
        var archive = awaitArchive();
        assertEquals("700", OtherUser.mode(clone.resolve(".data")), "inside .data, which is the owner's only");

        var second = launch(Map.of("RAGDESK_JAVA_OPTS", "-Xlog:cds=info:stdout"), "", "config", "--path");
        assertEquals(0, second.code(), second.out());
        assertTrue(second.out().contains("Opened archive " + archive), second.out());
        assertTrue(second.out().contains("Mapped static  region"), second.out());
        assertEquals(Files.getLastModifiedTime(archive), Files.getLastModifiedTime(awaitArchive()), "not recorded again");

        var off = launch(Map.of("RAGDESK_CDS", "off", "RAGDESK_JAVA_OPTS", "-Xlog:cds=info:stdout"), "", "config", "--path");
        assertEquals(0, off.code());
        assertFalse(off.out().contains("Opened archive " + archive), "RAGDESK_CDS=off: " + off.out());
    }

    @Test
    @Timeout(240)
    void twoFirstStartsAtOnceRecordOneArchive() throws Exception {
        var a = new ProcessBuilder(clone.resolve("bin/ragdesk").toString(), "--home", home.toString(), "--version")
                .redirectErrorStream(true).start();
        var b = launch("--version");
        assertEquals(0, b.code(), b.out());
        assertTrue(a.waitFor(60, TimeUnit.SECONDS));
        awaitArchive();
        try (var files = Files.list(clone.resolve(".data/tmp/cds"))) {
            var names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("main.jsa", "recording.lock"), names, "one archive, nothing left of either start's recording");
        }
    }

    @Test
    @Timeout(240)
    void searchesLeaveNoProcessAndStdinAnswersLikeSingleSearches() throws Exception {
        var docs = Files.createDirectories(tmp.resolve("docs"));
        Files.writeString(docs.resolve("lamp.md"), "# Lighthouse\n\nThe keeper lights the lamp at dusk.\n");
        Files.writeString(docs.resolve("boat.md"), "# Harbour\n\nThe ferry leaves the harbour at dawn, past the lamp.\n");
        var env = Map.of("RAGDESK_CDS", "off");
        assertEquals(0, launch(env, "", "index", docs.toString()).code());
        var json = new ObjectMapper();
        var queries = List.of("lamp", "ferry dawn", "keeper");
        var stdin = launch(env, String.join("\n", queries) + "\n\n", "search", "--stdin");
        assertEquals(0, stdin.code(), stdin.out());
        var lines = stdin.out().lines().toList();
        assertEquals(queries.size(), lines.size(), "one JSON line per query, the blank line skipped: " + stdin.out());
        for (int i = 0; i < queries.size(); i++) {
            var single = launch(env, "", "search", "--json", queries.get(i));
            assertEquals(0, single.code(), single.out());
            var line = json.readTree(lines.get(i));
            assertEquals(queries.get(i), line.get("query").asText());
            assertEquals(json.readTree(single.out()), line.get("hits"), "the same hits for " + queries.get(i));
        }
        assertEquals(0, recorders(), "no ragdesk process is left running after the searches");
        assertEquals("600", OtherUser.mode(home.resolve(".data/logs/ragdesk.log")), "bin/ragdesk's umask keeps what it writes private");
    }
}
