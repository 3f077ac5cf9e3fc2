package dev.ragdesk.rag;

import dev.ragdesk.config.Config;
import dev.ragdesk.embed.EmbedModelFiles;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.testing.MiniLm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * nDCG@10 and recall@10 of bm25, vector and hybrid on {@link RetrievalSet}, printed as a table.
 * One relevant passage per question, so nDCG@10 is 1 / log2(1 + rank) when it is in the top 10.
 */
class RetrievalQualityTest {

    @TempDir Path tmp;

    record Score(double ndcg, double recall, int questions) {}

    private static Map<String, Score> evaluate(Retriever r, List<RetrievalSet.Question> questions, String mode) throws Exception {
        var byKind = new LinkedHashMap<String, double[]>();
        for (var q : questions) {
            var hits = r.search(q.text(), 10, mode).hits();
            double gain = 0;
            for (var h : hits) if (RetrievalSet.idOf(h).equals(q.answer())) gain = 1 / (Math.log(1 + h.rank()) / Math.log(2));
            for (var kind : List.of(q.kind(), "all")) {
                var sums = byKind.computeIfAbsent(kind, k -> new double[3]);
                sums[0] += gain;
                sums[1] += gain > 0 ? 1 : 0;
                sums[2]++;
            }
        }
        var scores = new LinkedHashMap<String, Score>();
        byKind.forEach((kind, s) -> scores.put(kind, new Score(s[0] / s[2], s[1] / s[2], (int) s[2])));
        return scores;
    }

    private Map<String, Map<String, Score>> table(Embeddings embeddings, List<RetrievalSet.Question> questions, String label) throws Exception {
        var index = tmp.resolve("index-" + label);
        try (var writer = DocumentIndex.open(index, new Extractors(50_000_000), new Chunker(1200, 150),
                DocumentIndex.CommitPolicy.DEFAULT, embeddings)) {
            writer.index(List.of(RetrievalSet.write(tmp.resolve("docs"))), p -> {}, () -> false);
        }
        var table = new LinkedHashMap<String, Map<String, Score>>();
        try (var r = new Retriever(index, Config.DEFAULTS.retrieval(), embeddings)) {
            for (var mode : List.of("bm25", "vector", "hybrid")) table.put(mode, evaluate(r, questions, mode));
        }
        System.out.println("retrieval quality, " + label + " (" + RetrievalSet.PASSAGES.size() + " passages):");
        table.forEach((mode, kinds) -> kinds.forEach((kind, s) -> System.out.printf(Locale.ROOT,
                "  %-7s %-13s n=%2d  nDCG@10 %.3f  recall@10 %.3f%n", mode, kind, s.questions(), s.ndcg(), s.recall())));
        return table;
    }

    @Test
    void paraphrasesShareNoWordWithTheirPassage() throws Exception {
        for (var q : RetrievalSet.QUESTIONS) {
            if (q.kind().equals("lexical")) continue;
            var shared = RetrievalSet.terms(q.text());
            shared.retainAll(RetrievalSet.terms(RetrievalSet.PASSAGES.get(q.answer())));
            assertEquals(Set.of(), shared, q.text());
        }
    }

    @Test
    void hybridKeepsWhatWordsFindAndAddsWhatOnlyMeaningFinds() throws Exception {
        var english = RetrievalSet.QUESTIONS.stream().filter(q -> !q.kind().equals("crosslingual")).toList();
        try (var embeddings = Embeddings.of(MiniLm.files(), MiniLm.settings())) {
            var t = table(embeddings, english, "all-MiniLM-L6-v2 (English only)");
            assertEquals(0.0, t.get("bm25").get("paraphrase").recall(), "no shared word, no BM25 hit");
            assertEquals(1.0, t.get("bm25").get("lexical").recall());
            assertTrue(t.get("vector").get("paraphrase").recall() >= 0.9, "meaning finds the paraphrases");
            assertTrue(t.get("hybrid").get("lexical").recall() >= t.get("bm25").get("lexical").recall(), "fusion loses no word match");
            assertTrue(t.get("hybrid").get("paraphrase").recall() >= 0.9);
            assertTrue(t.get("hybrid").get("all").ndcg() > t.get("bm25").get("all").ndcg());
        }
    }

    /**
     * Cross-lingual retrieval needs a multilingual model, which Maven Central does not carry:
     * run with -Dragdesk.embed.multilingual=DIR, DIR holding multilingual-e5-small's
     * onnx/model.onnx (or model.onnx) and tokenizer.json.
     */
    @Test
    void aHindiQuestionFindsAnEnglishPassageAndTheReverse() throws Exception {
        var dir = System.getProperty("ragdesk.embed.multilingual", "");
        assumeTrue(!dir.isEmpty(), "skipped: no multilingual embed model here (set -Dragdesk.embed.multilingual=DIR)");
        var root = Path.of(dir);
        var model = Files.isRegularFile(root.resolve("onnx/model.onnx")) ? root.resolve("onnx/model.onnx") : root.resolve("model.onnx");
        var files = new EmbedModelFiles(model, root.resolve("tokenizer.json"), "multilingual-e5-small");
        try (var embeddings = Embeddings.of(files, Config.DEFAULTS.embedding())) {
            var t = table(embeddings, RetrievalSet.QUESTIONS, "multilingual-e5-small");
            assertTrue(t.get("vector").get("crosslingual").recall() >= 0.8);
            assertTrue(t.get("hybrid").get("crosslingual").recall() >= 0.8);
        }
    }
}
