package dev.ragdesk.rag;

import dev.ragdesk.config.Config;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.process.JvmCommand;
import dev.ragdesk.testing.MiniLm;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** kill -9 in the middle of embedding, in a real child JVM, with the real model. */
class EmbedCrashTest {

    @TempDir Path tmp;

    private Path notes(int total) throws Exception {
        var docs = Files.createDirectories(tmp.resolve("docs"));
        for (int i = 0; i < total; i++) {
            Files.writeString(docs.resolve("note-" + i + ".txt"), "Note " + i + " is about topic" + i + " and the harbour lighthouse.\n");
        }
        return docs;
    }

    /** Starts the probe, waits until it has done {@code pauseAt} files, and kills it with SIGKILL. */
    private void killMidRun(Path index, Path docs, int pauseAt, String what) throws Exception {
        var args = new ArrayList<>(List.of(index.toString(), docs.toString(), String.valueOf(pauseAt), what, MiniLm.dir().toString()));
        var cmd = JvmCommand.current().build(List.of("-Xmx512m", "-Djava.io.tmpdir=" + tmp), IndexProbe.class.getName(), args);
        var child = new ProcessBuilder(cmd).redirectError(tmp.resolve("probe-stderr.txt").toFile()).start();
        try (var out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("paused")) { /* mid-run once it says so */ }
            if (line == null) child.waitFor();
            assertEquals("paused", line, "the child reached file " + pauseAt + "; its stderr: " + Files.readString(tmp.resolve("probe-stderr.txt")));
            child.destroyForcibly();
            child.waitFor();
        }
    }

    private static void assertConsistent(Path index) throws Exception {
        try (var dir = FSDirectory.open(index); var check = new CheckIndex(dir)) {
            assertTrue(check.checkIndex().clean, "Lucene's CheckIndex finds the index clean");
        }
    }

    @Test
    void killedWhileIndexingWithVectorsTheNextRunCompletesIt() throws Exception {
        int total = 60;
        var docs = notes(total);
        var index = tmp.resolve("index");
        killMidRun(index, docs, 30, "index");
        assertConsistent(index);
        var embeddings = Embeddings.of(MiniLm.files(), MiniLm.settings());
        try (var r = new Retriever(index, Config.DEFAULTS.retrieval(), embeddings)) {
            var status = r.status();
            assertTrue(status.files() >= 24 && status.files() < total, "some batches of 8 committed: " + status.files());
            assertEquals(status.chunks(), status.vectorChunks(), "every committed chunk has its vector: a file is written whole");
        }
        try (var writer = DocumentIndex.open(index, new Extractors(50_000_000), new Chunker(400, 60),
                DocumentIndex.CommitPolicy.DEFAULT, embeddings)) {
            writer.index(List.of(docs), p -> {}, () -> false);
        }
        try (var r = new Retriever(index, Config.DEFAULTS.retrieval(), embeddings)) {
            assertEquals(total, r.status().files());
            assertEquals(total, r.status().vectorChunks());
            assertEquals("note-59.txt", Path.of(r.search("topic59", 1, "hybrid").hits().get(0).path()).getFileName().toString());
        }
        embeddings.close();
    }

    @Test
    void killedWhileFillingInVectorsTheNextEmbedCompletesIt() throws Exception {
        int total = 60;
        var docs = notes(total);
        var index = tmp.resolve("index");
        try (var writer = DocumentIndex.open(index, new Extractors(50_000_000), new Chunker(400, 60))) {
            writer.index(List.of(docs), p -> {}, () -> false);
        }
        killMidRun(index, docs, 30, "embed");
        assertConsistent(index);
        var embeddings = Embeddings.of(MiniLm.files(), MiniLm.settings());
        int before;
        try (var r = new Retriever(index, Config.DEFAULTS.retrieval(), embeddings)) {
            var status = r.status();
            assertEquals(total, status.files(), "no file lost its text");
            assertEquals(total, status.chunks());
            before = status.vectorChunks();
            assertTrue(before >= 24 && before < total, "part of the vectors committed: " + before);
            assertEquals("hybrid", r.search("harbour lighthouse", 3).plan().mode(), "a partly embedded index still searches");
        }
        try (var writer = DocumentIndex.open(index, new Extractors(50_000_000), new Chunker(400, 60),
                DocumentIndex.CommitPolicy.DEFAULT, embeddings)) {
            assertEquals(total - before, writer.embedMissing(p -> {}, () -> false).embedded(), "only what the kill left undone");
        }
        try (var r = new Retriever(index, Config.DEFAULTS.retrieval(), embeddings)) {
            assertEquals(total, r.status().vectorChunks());
            assertEquals("", r.search("harbour lighthouse", 3).plan().note());
        }
        embeddings.close();
    }
}
