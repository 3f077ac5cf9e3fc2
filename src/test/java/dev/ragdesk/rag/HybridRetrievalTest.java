package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.embed.Embedder;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.embed.OnnxEmbedder;
import dev.ragdesk.testing.MiniLm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** Vectors beside BM25 in one real Lucene index, with the real all-MiniLM-L6-v2. */
class HybridRetrievalTest {

    private static OnnxEmbedder minilm;

    @TempDir Path tmp;

    @BeforeAll
    static void load() throws RagdeskException {
        minilm = OnnxEmbedder.load(MiniLm.files(), MiniLm.settings());
    }

    @AfterAll
    static void close() {
        if (minilm != null) minilm.close();
    }

    /** The real model, counting the passages it is asked to embed. */
    static final class Counting implements Embedder {
        final Embedder real;
        final AtomicInteger passages = new AtomicInteger();
        final AtomicInteger loads = new AtomicInteger();

        Counting(Embedder real) { this.real = real; }

        Embeddings embeddings() {
            return Embeddings.of(real.id(), real.displayName(), MiniLm.settings(), () -> {
                loads.incrementAndGet();
                return this;
            });
        }

        @Override public String id() { return real.id(); }
        @Override public String displayName() { return real.displayName(); }
        @Override public int dimensions() { return real.dimensions(); }
        @Override public float[] query(String text) throws RagdeskException { return real.query(text); }

        @Override
        public List<float[]> passages(List<String> texts) throws RagdeskException {
            passages.addAndGet(texts.size());
            return real.passages(texts);
        }

        @Override public void close() {}
    }

    /** Another embed model: MiniLM's first 192 dimensions, renormalised. */
    static final class Half implements Embedder {
        @Override public String id() { return "minilm-half"; }
        @Override public String displayName() { return "MiniLM-half"; }
        @Override public int dimensions() { return 192; }
        @Override public float[] query(String text) throws RagdeskException { return half(minilm.query(text)); }

        @Override
        public List<float[]> passages(List<String> texts) throws RagdeskException {
            return minilm.passages(texts).stream().map(Half::half).toList();
        }

        private static float[] half(float[] v) {
            var h = Arrays.copyOf(v, 192);
            double n = 0;
            for (float x : h) n += x * x;
            for (int i = 0; i < h.length; i++) h[i] /= (float) Math.sqrt(n);
            return h;
        }

        @Override public void close() {}
    }

    private Path corpus() throws Exception {
        return RetrievalSet.write(tmp.resolve("docs"));
    }

    private static DocumentIndex open(Path index, Embeddings embeddings) throws RagdeskException {
        return DocumentIndex.open(index, new Extractors(50_000_000), new Chunker(1200, 150), DocumentIndex.CommitPolicy.DEFAULT, embeddings);
    }

    private static Retriever retriever(Path index, Embeddings embeddings) {
        return new Retriever(index, Config.DEFAULTS.retrieval(), embeddings);
    }


    @Test
    void aParaphraseWithNoSharedWordIsFoundByMeaningAndByHybrid() throws Exception {
        var docs = corpus();
        var index = tmp.resolve("index");
        var counting = new Counting(minilm);
        try (var writer = open(index, counting.embeddings())) {
            writer.index(List.of(docs), p -> {}, () -> false);
        }
        var question = "car won't turn over, dead accumulator";
        var shared = RetrievalSet.terms(question);
        shared.retainAll(RetrievalSet.terms(RetrievalSet.PASSAGES.get("p01")));
        assertEquals(Set.of(), shared, "the question shares no term with its passage");

        try (var r = retriever(index, counting.embeddings())) {
            var bm25 = r.search(question, 5, "bm25");
            assertEquals("bm25", bm25.plan().mode());
            assertTrue(bm25.hits().stream().noneMatch(h -> RetrievalSet.idOf(h).equals("p01")), "words alone cannot find it");

            var vector = r.search(question, 5, "vector");
            assertEquals("vector", vector.plan().mode());
            var top = vector.hits().get(0);
            assertEquals("p01", RetrievalSet.idOf(top));
            assertEquals(Map.of("vector", 1), top.foundBy());
            assertEquals("line 1", top.location(), "a vector-only hit still has its citation");
            assertEquals(RetrievalSet.PASSAGES.get("p01"), top.excerpt(), "and its excerpt: no word matched, so the passage's opening");

            var hybrid = r.search(question, 5, "hybrid");
            assertEquals("hybrid", hybrid.plan().mode());
            assertEquals("", hybrid.plan().note());
            var p01 = hybrid.hits().stream().filter(h -> RetrievalSet.idOf(h).equals("p01")).findFirst().orElseThrow();
            assertEquals(1, p01.foundBy().get("vector"));
            assertNull(p01.foundBy().get("bm25"));
            assertEquals("hybrid", r.search(question, 5).plan().mode(), "auto is hybrid with a model and vectors");
        }
    }

    @Test
    void hybridHighlightsTheWordsThatMatchInAPassageFoundByBothLists() throws Exception {
        var index = tmp.resolve("index");
        try (var writer = open(index, new Counting(minilm).embeddings())) {
            writer.index(List.of(corpus()), p -> {}, () -> false);
        }
        try (var r = retriever(index, new Counting(minilm).embeddings())) {
            var top = r.search("lighthouse keeper lamp", 3, "hybrid").hits().get(0);
            assertEquals("p05", RetrievalSet.idOf(top));
            assertEquals(1, top.foundBy().get("bm25"));
            assertEquals(1, top.foundBy().get("vector"));
            assertTrue(top.excerpt().contains("**lighthouse**"), top.excerpt());
        }
    }

    @Test
    void onlyNewOrChangedChunksAreEmbeddedAndARemovedFileTakesItsVectors() throws Exception {
        var docs = corpus();
        var index = tmp.resolve("index");
        var counting = new Counting(minilm);
        int total = RetrievalSet.PASSAGES.size();
        try (var writer = open(index, counting.embeddings())) {
            var first = writer.index(List.of(docs), p -> {}, () -> false);
            assertEquals(total, first.embedded());
            assertEquals(total, counting.passages.get());

            var again = writer.index(List.of(docs), p -> {}, () -> false);
            assertEquals(0, again.embedded());
            assertEquals(total, counting.passages.get(), "nothing changed: nothing embedded");

            Files.writeString(docs.resolve("p05.txt"), "The keeper now uses an electric beacon instead of the old lamp.\n");
            Files.delete(docs.resolve("p12.txt"));
            var third = writer.index(List.of(docs), p -> {}, () -> false);
            assertEquals(1, third.embedded(), "only the changed file");
            assertEquals(total + 1, counting.passages.get());
            assertEquals(1, third.removed());
        }
        try (var r = retriever(index, counting.embeddings())) {
            var status = r.status();
            assertEquals(total - 1, status.chunks());
            assertEquals(total - 1, status.vectorChunks(), "the removed file's vector went with it");
            assertEquals("all-MiniLM-L6-v2", status.vectorModel());
            assertEquals(384, status.vectorDims());
            var hits = r.search("the cat slept on a warm windowsill", 30, "vector").hits();
            assertTrue(hits.stream().noneMatch(h -> RetrievalSet.idOf(h).equals("p12")), "kNN never returns a removed file");
            assertEquals("p05", RetrievalSet.idOf(r.search("electric beacon", 1, "vector").hits().get(0)), "the new text's vector");
        }
    }

    @Test
    void anIndexBuiltWithoutVectorsKeepsWorkingWithBm25UntilEmbedFillsThemIn() throws Exception {
        var docs = corpus();
        var index = tmp.resolve("index");
        try (var writer = open(index, Embeddings.none())) {
            writer.index(List.of(docs), p -> {}, () -> false);
        }
        var counting = new Counting(minilm);
        try (var r = retriever(index, counting.embeddings())) {
            var result = r.search("lighthouse keeper", 3);
            assertEquals("bm25", result.plan().mode(), "auto falls back to words");
            assertTrue(result.plan().note().contains("run `ragdesk index --embed`"), result.plan().note());
            assertEquals("p05", RetrievalSet.idOf(result.hits().get(0)));
            assertEquals("bm25", r.search("lighthouse keeper", 3, "hybrid").plan().mode());
            var e = assertThrows(RagdeskException.class, () -> r.search("lighthouse keeper", 3, "vector"));
            assertTrue(e.getMessage().contains("no vectors yet") && e.getMessage().contains("ragdesk index --embed"), e.getMessage());
            assertEquals(0, r.status().vectorChunks());
            assertTrue(r.status().retrieval().startsWith("bm25"), r.status().retrieval());
            assertEquals(0, counting.loads.get(), "finding out that vectors are missing loads no model");
        }
        var progress = new ArrayList<IndexProgress>();
        try (var writer = open(index, counting.embeddings())) {
            var summary = writer.embedMissing(progress::add, () -> false);
            assertEquals(RetrievalSet.PASSAGES.size(), summary.embedded());
            assertEquals(0, writer.embedMissing(p -> {}, () -> false).embedded(), "a second run has nothing to do");
        }
        assertTrue(progress.get(progress.size() - 1).finished());
        assertEquals(RetrievalSet.PASSAGES.size(), progress.get(progress.size() - 1).chunksEmbedded());
        try (var r = retriever(index, counting.embeddings())) {
            var result = r.search("car won't turn over, dead accumulator", 3);
            assertEquals("hybrid", result.plan().mode());
            var p01 = result.hits().stream().filter(h -> RetrievalSet.idOf(h).equals("p01")).findFirst().orElseThrow();
            assertEquals(1, p01.foundBy().get("vector"), "found by the vectors embed just made");
            assertEquals(RetrievalSet.PASSAGES.size(), r.status().vectorChunks());
            assertTrue(r.status().retrieval().startsWith("hybrid"), r.status().retrieval());
            assertEquals("p05", RetrievalSet.idOf(r.search("lighthouse keeper", 3, "bm25").hits().get(0)), "text search unchanged");
        }
    }

    @Test
    void vectorsFromAnotherModelAreNamedAndReplacedByEmbed() throws Exception {
        var docs = corpus();
        var index = tmp.resolve("index");
        try (var writer = open(index, new Counting(minilm).embeddings())) {
            writer.index(List.of(docs), p -> {}, () -> false);
        }
        var half = new Half();
        var halfEmbeddings = Embeddings.of(half.id(), half.displayName(), MiniLm.settings(), () -> half);
        try (var r = retriever(index, halfEmbeddings)) {
            var e = assertThrows(RagdeskException.class, () -> r.search("lighthouse", 3, "vector"));
            assertTrue(e.getMessage().contains("another embed model (all-MiniLM-L6-v2; its vectors have 384 dimensions and "
                    + "MiniLM-half makes 192)"), e.getMessage());
            assertTrue(e.getMessage().contains("run `ragdesk index --embed`"), e.getMessage());
            var hybrid = r.search("lighthouse", 3, "hybrid");
            assertEquals("bm25", hybrid.plan().mode(), "another model's vectors are never compared with this one's");
            assertTrue(hybrid.plan().note().contains("another embed model"), hybrid.plan().note());
        }
        try (var writer = open(index, halfEmbeddings)) {
            assertEquals(RetrievalSet.PASSAGES.size(), writer.embedMissing(p -> {}, () -> false).embedded(), "every chunk again");
        }
        try (var r = retriever(index, halfEmbeddings)) {
            var result = r.search("car won't turn over, dead accumulator", 3, "vector");
            assertEquals("p01", RetrievalSet.idOf(result.hits().get(0)));
            assertEquals(192, r.status().vectorDims());
            assertEquals(RetrievalSet.PASSAGES.size(), r.status().vectorChunks());
        }
    }

    @Test
    void bm25ModeAndAMissingModelNeverTouchTheModel() throws Exception {
        var index = tmp.resolve("index");
        try (var writer = open(index, new Counting(minilm).embeddings())) {
            writer.index(List.of(corpus()), p -> {}, () -> false);
        }
        var broken = Embeddings.of("x", "broken", MiniLm.settings(), () -> {
            throw new RagdeskException("must not load");
        });
        try (var r = retriever(index, broken)) {
            assertEquals("p05", RetrievalSet.idOf(r.search("lighthouse keeper", 3, "bm25").hits().get(0)));
        }
        try (var r = retriever(index, Embeddings.none())) {
            var auto = r.search("lighthouse keeper", 3);
            assertEquals("bm25", auto.plan().mode());
            assertEquals("", auto.plan().note(), "no model configured: plain BM25, nothing to nag about");
            var e = assertThrows(RagdeskException.class, () -> r.search("lighthouse keeper", 3, "hybrid"));
            assertTrue(e.getMessage().startsWith("hybrid search needs the embed model"), e.getMessage());
            assertTrue(e.getMessage().endsWith("or search with --mode bm25"), e.getMessage());
        }
    }

    @Test
    void aLongQuestionIsCutForTheModelAndStillFused() throws Exception {
        var index = tmp.resolve("index");
        try (var writer = open(index, new Counting(minilm).embeddings())) {
            writer.index(List.of(corpus()), p -> {}, () -> false);
        }
        try (var r = retriever(index, new Counting(minilm).embeddings())) {
            var question = "Why did the lighthouse keeper climb the steps? " + "word ".repeat(20_000);
            var result = r.search(question, 3, "hybrid");
            assertEquals("p05", RetrievalSet.idOf(result.hits().get(0)));
        }
    }
}
