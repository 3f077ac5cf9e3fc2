package dev.ragdesk.cli;

import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.testing.MiniLm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.junit.jupiter.api.Assertions.*;

/** index --embed, search --mode and status through the real CLI, with the real MiniLM as the embed model. */
class HybridCommandsTest {

    @TempDir Path home;
    Path docs;

    private CliRun run(String... args) {
        return CliRun.in(home, Map.of(), args);
    }

    @BeforeEach
    void writeDocs() throws Exception {
        docs = Files.createDirectories(home.resolve("docs")).toRealPath();
        Files.writeString(docs.resolve("car.txt"), "The automobile would not start because its battery was flat.\n");
        Files.writeString(docs.resolve("lighthouse.txt"), "The lighthouse keeper climbed one hundred steps to light the lamp.\n");
        Files.writeString(docs.resolve("rice.txt"), "Monsoon rains flooded the rice fields near the river delta.\n");
    }

    private void useMiniLm() throws Exception {
        Files.writeString(home.resolve("config.toml"), MiniLm.configToml());
    }

    @Test
    void anIndexMadeBeforeTheModelIsUpgradedByIndexEmbed() throws Exception {
        assertEquals(0, run("index", docs.toString()).code(), "no embed model yet: words only");
        useMiniLm();
        var before = run("search", "car won't turn over, dead accumulator");
        assertEquals(0, before.code(), before.err());
        assertTrue(before.out().contains("run `ragdesk index --embed`"), before.out());

        var status = run("index", "--status");
        assertTrue(status.out().contains("3 chunks (0 with vectors)"), status.out());
        assertTrue(status.out().contains("retrieval: bm25; the index has no vectors yet"), status.out());

        var vector = run("search", "--mode", "vector", "dead accumulator");
        assertEquals(ExitCodes.RUNTIME_ERROR, vector.code());
        assertTrue(vector.err().contains("run `ragdesk index --embed`"), vector.err());
        assertEquals(1, vector.err().strip().lines().count(), vector.err());

        var embed = run("index", "--embed");
        assertEquals(0, embed.code(), embed.err());
        assertTrue(embed.out().startsWith("embedded 3 chunks of 3 files in "), embed.out());

        var hits = run("search", "--json", "--mode", "vector", "car won't turn over, dead accumulator").json();
        assertEquals(docs.resolve("car.txt").toString(), hits.get(0).get("path").asText());
        assertEquals(1, hits.get(0).get("found_by").get("vector").asInt());
        assertEquals("vector", hits.get(0).get("mode").asText());

        var hybrid = run("search", "--json", "lighthouse keeper").json();
        assertEquals("hybrid", hybrid.get(0).get("mode").asText(), "auto: hybrid once the model and vectors are there");
        assertEquals(1, hybrid.get(0).get("found_by").get("bm25").asInt());
        assertEquals(1, hybrid.get(0).get("found_by").get("vector").asInt());

        var plain = run("search", "lighthouse keeper");
        assertTrue(plain.out().startsWith("mode: hybrid\n"), plain.out());
        assertTrue(plain.out().contains("[bm25 #1, vector #1]"), plain.out());

        var after = run("status");
        assertTrue(after.out().contains("3 chunks (3 with vectors)"), after.out());
        assertTrue(after.out().contains("retrieval: hybrid (BM25 + vectors from all-minilm-l6-v2.onnx, reciprocal-rank fusion k=60)"),
                after.out());
        var models = run("models", "--json").json();
        var embedRow = StreamSupport.stream(models.spliterator(), false)
                .filter(m -> m.get("role").asText().equals("embed")).findFirst().orElseThrow();
        assertEquals("local", embedRow.get("state").asText());
        assertEquals(MiniLm.dir().resolve(MiniLm.TOKENIZER).toString(), embedRow.get("tokenizer").asText());
        assertEquals(Files.size(MiniLm.files().model()) + Files.size(MiniLm.files().tokenizer()), embedRow.get("size_bytes").asLong());
    }

    @Test
    void indexWithPathsAndEmbedReportsBoth() throws Exception {
        assertEquals(0, run("index", docs.toString()).code());
        useMiniLm();
        Files.writeString(docs.resolve("new.txt"), "A new note about tides.\n");
        var both = run("index", "--embed", docs.resolve("new.txt").toString());
        assertEquals(0, both.code(), both.err());
        var lines = both.out().lines().toList();
        assertTrue(lines.get(0).startsWith("indexed 1 file (1 chunks)") && lines.get(0).contains("1 chunks embedded"), both.out());
        assertTrue(lines.get(1).startsWith("embedded 3 chunks of 3 files"), "then the rest of the index: " + both.out());
    }

    @Test
    void indexingWithTheModelEmbedsAsItGoes() throws Exception {
        useMiniLm();
        var first = run("index", docs.toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(first.out().contains("3 chunks embedded"), first.out());
        var again = run("index", docs.toString());
        assertFalse(again.out().contains("embedded"), "nothing changed, nothing embedded: " + again.out());
    }

    @Test
    void bm25ModeEmbedsNothingAndEmbedSaysWhy() throws Exception {
        Files.writeString(home.resolve("config.toml"), MiniLm.configToml() + "\n[retrieval]\nmode = \"bm25\"\n");
        var first = run("index", docs.toString());
        assertFalse(first.out().contains("embedded"), first.out());
        var embed = run("index", "--embed");
        assertEquals(ExitCodes.RUNTIME_ERROR, embed.code());
        assertTrue(embed.err().contains("[retrieval].mode is \"bm25\""), embed.err());
    }

    @Test
    void withoutAModelTheModesSayWhatToDo() throws Exception {
        run("index", docs.toString());
        var hybrid = run("search", "--mode", "hybrid", "lamp");
        assertEquals(ExitCodes.RUNTIME_ERROR, hybrid.code());
        assertTrue(hybrid.err().contains("run `ragdesk download embed`"), hybrid.err());
        var embed = run("index", "--embed");
        assertEquals(ExitCodes.RUNTIME_ERROR, embed.code());
        assertTrue(embed.err().contains("no embed model yet: run `ragdesk download embed`"), embed.err());
        var bad = run("search", "--mode", "vectors", "lamp");
        assertEquals(ExitCodes.USAGE, bad.code());
        assertTrue(bad.err().contains("--mode must be hybrid, bm25, vector or auto"), bad.err());
        var status = run("status");
        assertTrue(status.out().contains("retrieval: bm25 (no embed model: `ragdesk download embed` adds search by meaning)"), status.out());
    }

    @Test
    void aMistypedModeInConfigNamesItsKeyAndLine() throws Exception {
        Files.writeString(home.resolve("config.toml"), "[retrieval]\ntop_k = 3\nmode = \"vectors\"\n");
        var r = run("search", "lamp");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("config.toml:3"), r.err());
        assertTrue(r.err().contains("retrieval.mode"), r.err());
    }

    @Test
    void aBrokenEmbedModelIsOneLineAndWordsStillWork() throws Exception {
        var broken = Files.writeString(home.resolve("broken.onnx"), "not onnx");
        Files.copy(MiniLm.files().tokenizer(), home.resolve(MiniLm.TOKENIZER));
        Files.writeString(home.resolve("config.toml"), "[models.embed]\npath = \"" + broken + "\"\ntokenizer = \"" + MiniLm.TOKENIZER + "\"\n");
        var index = run("index", docs.toString());
        assertEquals(ExitCodes.RUNTIME_ERROR, index.code());
        var last = index.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("ragdesk: ONNX Runtime cannot load the embed model " + broken), index.err());
        assertTrue(index.err().lines().allMatch(l -> l.startsWith("[") || l.equals(last)), "progress lines, then the one error line");
        assertFalse(index.err().contains("Exception"), index.err());
        var words = run("search", "--mode", "bm25", "lamp");
        assertEquals(0, words.code(), words.err());
    }
}
