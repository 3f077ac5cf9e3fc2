package dev.ragdesk.embed;

import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.config.Config;
import dev.ragdesk.testing.MiniLm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The real all-MiniLM-L6-v2 through ONNX Runtime and the HuggingFace tokenizer. */
class OnnxEmbedderTest {

    private static OnnxEmbedder model;

    @TempDir Path tmp;

    @BeforeAll
    static void load() throws RagdeskException {
        model = OnnxEmbedder.load(MiniLm.files(), MiniLm.settings());
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) sum += a[i] * b[i];
        return sum;
    }

    @Test
    void vectorsAreUnitLengthWithTheModelsDimensions() throws RagdeskException {
        assertEquals(384, model.dimensions(), "read from the model's output shape");
        var v = model.query("How tall is the lighthouse?");
        assertEquals(384, v.length);
        assertEquals(1.0, Math.sqrt(dot(v, v)), 1e-4);
    }

    @Test
    void aParaphraseWithNoSharedWordsIsNearerThanAnUnrelatedSentence() throws RagdeskException {
        var q = model.query("my vehicle refuses to turn on");
        var vs = model.passages(List.of("The automobile would not start because its battery was flat.",
                "Monsoon rains flooded the rice fields near the delta."));
        assertTrue(dot(q, vs.get(0)) > dot(q, vs.get(1)) + 0.15,
                "paraphrase " + dot(q, vs.get(0)) + " vs unrelated " + dot(q, vs.get(1)));
    }

    @Test
    void aBatchGivesEachTextTheVectorItGetsAlone() throws RagdeskException {
        // batches are padded to their longest text: padding must not leak into the mean
        var texts = List.of("short", "a considerably longer sentence about harbours, ships and the tides of the bay",
                "medium length text here", "short");
        var batched = model.passages(texts);
        for (int i = 0; i < texts.size(); i++) {
            var alone = model.passages(List.of(texts.get(i))).get(0);
            assertEquals(1.0, dot(batched.get(i), alone), 1e-4, "text " + i + " keeps its place and its vector");
        }
    }

    @Test
    void poolingFollowsTheSetting() throws RagdeskException {
        var s = MiniLm.settings();
        try (var cls = OnnxEmbedder.load(MiniLm.files(), new Config.Embedding("", "", "cls", s.maxTokens(), s.batchSize(), 1))) {
            var text = "The lighthouse keeper climbed the stairs.";
            double same = dot(cls.query(text), model.query(text));
            assertTrue(same < 0.99, "the [CLS] vector is not the mean of the tokens: " + same);
            assertNotEquals(model.id(), cls.id(), "other conventions, other vectors, other id");
        }
    }

    @Test
    void textsLongerThanTheLimitAreCutNotRefused() throws RagdeskException {
        var v = model.passages(List.of("lighthouse ".repeat(5000))).get(0);
        assertEquals(384, v.length);
        assertTrue(Float.isFinite(v[0]));
    }

    @Test
    void aMissingModelSaysHowToGetIt() {
        var files = new EmbedModelFiles(tmp.resolve("none.onnx"), tmp.resolve("none.json"), "none");
        var e = assertThrows(RagdeskException.class, () -> Embeddings.of(files, MiniLm.settings()).get());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        assertFalse(Embeddings.of(files, MiniLm.settings()).available());
    }

    @Test
    void aFileThatIsNotAnOnnxModelIsOneLine() throws Exception {
        var garbage = Files.write(tmp.resolve("model.onnx"), "not a model at all".repeat(100).getBytes());
        var e = assertThrows(RagdeskException.class,
                () -> OnnxEmbedder.load(new EmbedModelFiles(garbage, MiniLm.files().tokenizer(), "garbage"), MiniLm.settings()));
        assertTrue(e.getMessage().startsWith("ONNX Runtime cannot load the embed model"), e.getMessage());
        assertTrue(e.getMessage().contains("ragdesk download embed"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));

        var gguf = tmp.resolve("model.gguf");
        SyntheticGguf.llama().writeTo(gguf);
        var e2 = assertThrows(RagdeskException.class,
                () -> OnnxEmbedder.load(new EmbedModelFiles(gguf, MiniLm.files().tokenizer(), "gguf"), MiniLm.settings()));
        assertTrue(e2.getMessage().startsWith("ONNX Runtime cannot load the embed model"), e2.getMessage());
    }

    @Test
    void aFileThatIsNotATokenizerIsOneLine() throws Exception {
        var bad = Files.writeString(tmp.resolve("tokenizer.json"), "{\"this\": \"is json but not a tokenizer\"}");
        var e = assertThrows(RagdeskException.class,
                () -> OnnxEmbedder.load(new EmbedModelFiles(MiniLm.files().model(), bad, "bad"), MiniLm.settings()));
        assertTrue(e.getMessage().startsWith("the embed tokenizer " + bad + " cannot be read"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void anotherModelsTokenizerIsCaughtWhenTheModelLoads() throws Exception {
        // a bigger vocabulary: the same words, numbered past the end of MiniLM's 30,522 embeddings
        var json = JsonMapper.builder().build();
        var tree = (ObjectNode) json.readTree(MiniLm.files().tokenizer().toFile());
        var vocab = (ObjectNode) tree.path("model").path("vocab");
        var shifted = json.createObjectNode();
        vocab.fields().forEachRemaining(e -> shifted.put(e.getKey(), e.getValue().asInt() < 1000 ? e.getValue().asInt() : e.getValue().asInt() + 40_000));
        ((ObjectNode) tree.path("model")).set("vocab", shifted);
        var foreign = tmp.resolve("foreign-tokenizer.json");
        json.writeValue(foreign.toFile(), tree);

        var e = assertThrows(RagdeskException.class,
                () -> OnnxEmbedder.load(new EmbedModelFiles(MiniLm.files().model(), foreign, "mismatched"), MiniLm.settings()));
        assertTrue(e.getMessage().contains("token ids the model does not have"), e.getMessage());
        assertTrue(e.getMessage().contains("[models.embed].tokenizer"), e.getMessage());
    }

    @Test
    void theIdFollowsTheFilesAndConventionsWithoutLoading() {
        var files = MiniLm.files();
        var settings = MiniLm.settings();
        assertEquals(files.id(settings), files.id(new Config.Embedding("", "", "mean", 256, 99, 7)),
                "batch size and threads do not change a vector");
        assertNotEquals(files.id(settings), files.id(new Config.Embedding("query: ", "passage: ", "mean", 256, 16, 0)));
        assertEquals(files.id(settings), model.id());
    }
}
