package dev.ragdesk.rag;

import dev.ragdesk.process.JvmCommand;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class IndexCrashTest {

    @TempDir Path tmp;

    @Test
    void killMinus9MidIndexLeavesASearchableIndexAndTheNextRunFinishes() throws Exception {
        var docs = Files.createDirectories(tmp.resolve("docs"));
        int total = 400;
        for (int i = 0; i < total; i++) {
            Files.writeString(docs.resolve("note-" + i + ".txt"),
                    ("Note number " + i + " talks about topic" + i + ". ").repeat(40) + "\n\nShared words about the harbour lighthouse.\n");
        }
        var indexDir = tmp.resolve("index");
        var cmd = JvmCommand.current().build(List.of("-Xmx256m"), IndexProbe.class.getName(),
                List.of(indexDir.toString(), docs.toString(), "150"));
        var child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("paused")) { /* wait for the child to be mid-run */ }
            assertEquals("paused", line, "the child reached file 150");
            child.destroyForcibly();
            child.waitFor();
        }

        try (var retriever = new Retriever(indexDir)) {
            var status = retriever.status();
            assertTrue(status.exists());
            assertEquals(128, status.files(), "the two batches committed before the kill survived (a commit every 64 files)");
            assertFalse(retriever.search("harbour lighthouse", 5).hits().isEmpty(), "and is searchable");
        }
        int committed;
        try (var retriever = new Retriever(indexDir)) {
            committed = retriever.status().files();
        }
        try (var index = DocumentIndex.open(indexDir, new Extractors(50_000_000), new Chunker(400, 60))) {
            var summary = index.index(List.of(docs), p -> {}, () -> false);
            assertEquals(total - committed, summary.indexed(), "the next run carries on where the last commit ended");
            assertEquals(committed, summary.unchanged());
        }
        try (var retriever = new Retriever(indexDir)) {
            assertEquals(total, retriever.status().files());
            assertEquals("note-399.txt", Path.of(retriever.search("topic399", 1).hits().get(0).path()).getFileName().toString());
        }
    }

    /**
     * The kill lands inside a commit: the next commit's segments file written and synced as
     * pending_segments, not yet renamed into place. The index must open at the commit before,
     * pass Lucene's own check, and the next run must finish the work.
     */
    @Test
    void killMinus9InsideACommitLeavesTheCommitBeforeIt() throws Exception {
        var docs = Files.createDirectories(tmp.resolve("docs"));
        int total = 200;
        for (int i = 0; i < total; i++) {
            Files.writeString(docs.resolve("note-" + i + ".txt"), ("Note " + i + " on topic" + i + ". ").repeat(30) + "\n\nThe harbour lighthouse.\n");
        }
        var indexDir = tmp.resolve("index");
        var cmd = JvmCommand.current().build(List.of("-Xmx256m"), IndexProbe.class.getName(),
                List.of(indexDir.toString(), docs.toString(), "-1", "commit"));
        var child = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("paused")) { /* wait for the child to be inside its commit */ }
            assertEquals("paused", line, "the child stopped inside its second commit");
            child.destroyForcibly();
            child.waitFor();
        }
        try (var files = Files.list(indexDir)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().startsWith("pending_segments")),
                    "the test's premise: the kill left a commit half-made");
        }
        try (var directory = FSDirectory.open(indexDir);
             var check = new CheckIndex(directory)) {
            check.setInfoStream(null);
            assertTrue(check.checkIndex().clean, "Lucene's own check finds the index clean");
        }
        try (var retriever = new Retriever(indexDir)) {
            assertEquals(64, retriever.status().files(), "the index is at the commit before the one cut short");
            assertFalse(retriever.search("harbour lighthouse", 5).hits().isEmpty(), "and is searchable");
        }
        try (var index = DocumentIndex.open(indexDir, new Extractors(50_000_000), new Chunker(400, 60))) {
            var summary = index.index(List.of(docs), p -> {}, () -> false);
            assertEquals(total - 64, summary.indexed(), "the next run does what the cut commit would have held, and the rest");
        }
        try (var retriever = new Retriever(indexDir)) {
            assertEquals(total, retriever.status().files());
        }
    }
}
