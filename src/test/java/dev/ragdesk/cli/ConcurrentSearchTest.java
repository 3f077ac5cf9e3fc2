package dev.ragdesk.cli;

import dev.ragdesk.process.JvmCommand;
import dev.ragdesk.rag.IndexProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.*;

/** Searches from several shells at once, while another process holds the index's write lock mid-run. */
class ConcurrentSearchTest {

    @TempDir Path home;

    @Test
    @Timeout(120)
    void searchesNeitherWaitForTheWriterNorForEachOther() throws Exception {
        var docs = Files.createDirectories(home.resolve("docs"));
        for (int i = 0; i < 200; i++) {
            Files.writeString(docs.resolve("note-" + i + ".txt"), "Note " + i + " about topic" + i + " and the harbour lighthouse.\n");
        }
        var cmd = JvmCommand.current().build(List.of("-Xmx256m"), IndexProbe.class.getName(),
                List.of(home.resolve("index").toString(), docs.toString(), "150"));
        var writer = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var out = new BufferedReader(new InputStreamReader(writer.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("paused")) { /* the writer is mid-run, holding write.lock */ }
            assertEquals("paused", line);
            assertTrue(Files.exists(home.resolve("index/write.lock")));

            var searches = List.of("harbour lighthouse", "lighthouse", "note harbour").stream()
                    .map(q -> CompletableFuture.supplyAsync(() -> CliRun.in(home, Map.of(), "search", "--json", q)))
                    .toList();
            for (var search : searches) {
                var r = search.join();
                assertEquals(0, r.code(), r.err());
                assertTrue(r.json().size() > 0, "the committed part is searchable while the writer runs: " + r.out());
            }
            assertTrue(writer.isAlive(), "and the writer was still holding the lock throughout");
        } finally {
            writer.destroyForcibly().waitFor();
        }
    }
}
