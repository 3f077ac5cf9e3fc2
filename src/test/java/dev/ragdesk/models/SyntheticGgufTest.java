package dev.ragdesk.models;

import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.testing.ChildJvm;
import dev.ragdesk.testing.GenerateProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class SyntheticGgufTest {

    @TempDir Path dir;

    @Test
    void headerIsGgufV3WithAlignedData() throws Exception {
        var bytes = SyntheticGguf.llama().bytes();
        var buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("GGUF", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(3, buf.getInt(4));
        assertEquals(3 + 2 * 9, buf.getLong(8), "3 global tensors + 9 per layer for 2 layers");
        assertEquals(0, bytes.length % 32, "the data section ends on the alignment");
    }

    @Test
    void sameSeedSameFileOtherSeedOtherWeights() {
        assertArrayEquals(SyntheticGguf.llama().seed(7).bytes(), SyntheticGguf.llama().seed(7).bytes());
        assertFalse(Arrays.equals(SyntheticGguf.llama().seed(7).bytes(), SyntheticGguf.llama().seed(8).bytes()));
    }

    @Test
    void javaLlamaCppLoadsItAndGenerates16Tokens() throws Exception {
        var model = SyntheticGguf.llama().writeTo(dir.resolve("tiny.gguf"));
        var result = new ChildJvm(dir).run(Duration.ofSeconds(60), GenerateProbe.class, model.toString(), "16");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("16", result.lastLineStartingWith("tokens="), result.stdout());
        assertFalse(result.lastLineStartingWith("text=").isBlank());
    }

    @Test
    void generationIsDeterministicAtTemperatureZero() throws Exception {
        var model = SyntheticGguf.llama().writeTo(dir.resolve("tiny.gguf"));
        var first = new ChildJvm(dir).run(Duration.ofSeconds(60), GenerateProbe.class, model.toString(), "8");
        var second = new ChildJvm(dir).run(Duration.ofSeconds(60), GenerateProbe.class, model.toString(), "8");
        assertEquals(first.lastLineStartingWith("text="), second.lastLineStartingWith("text="));
    }

    @Test
    void chatTemplateIsStoredInTheHeader() throws Exception {
        var file = SyntheticGguf.llama().chatTemplate("{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}")
                .writeTo(dir.resolve("templated.gguf"));
        var text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("tokenizer.chat_template"));
    }

    /**
     * The llama-3.2-3b preset against independent oracles: its header as GgufHeader reads it, its
     * size against a real Q4_K_M file's (Llama-3.2-3B-Instruct-Q4_K_M.gguf is 2,019,377,696 bytes),
     * and a real llama-server's tokenizer giving Llama 3's published token ids.
     */
    @Test
    void theLlama3PresetHasTheRealShapeSizeAndTokenizer() throws Exception {
        var server = dev.ragdesk.testing.LlamaServerBinary.require();
        var vocabulary = server.resolveSibling(dev.ragdesk.engine.server.EngineInstaller.LLAMA3_VOCABULARY);
        dev.ragdesk.testing.Required.that(Files.isRegularFile(vocabulary), "no " + vocabulary + " (run `bin/ragdesk engine install`)");
        var file = SyntheticGguf.preset("llama-3.2-3b", vocabulary).writeTo(dir.resolve("llama.gguf"));
        long size = Files.size(file);
        assertTrue(Math.abs(size - 2_019_377_696L) < 20_000_000L, "within 1% of the real Q4_K_M file: " + size);
        var header = GgufHeader.read(file);
        assertEquals(28, header.number("llama.block_count", 0));
        assertEquals(3072, header.number("llama.embedding_length", 0));
        assertEquals(8, header.number("llama.attention.head_count_kv", 0));
        assertEquals(128_256, ((GgufHeader.ArrayValue) header.metadata().get("tokenizer.ggml.tokens")).length());
        assertEquals(280_147, ((GgufHeader.ArrayValue) header.metadata().get("tokenizer.ggml.merges")).length());
        assertTrue(header.hasChatTemplate());
        assertFalse(header.tensors().stream().anyMatch(t -> t.name().equals("output.weight")), "Llama 3.2 ties its output to the embeddings");

        try (var probe = dev.ragdesk.testing.ServerProbe.start(server, file, dir.resolve("run"))) {
            // Llama 3's ids: <|begin_of_text|> 128000, "Hello" 9906, " world" 1917
            assertEquals("[9906,1917]", probe.post("/tokenize", "{\"content\":\"Hello world\"}").get("tokens").toString());
            var prompt = probe.post("/apply-template", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}").get("prompt").asText();
            assertTrue(prompt.contains("<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant"), prompt);
        }
    }

    /** Sarvam-1's 68,096-token vocabulary as the preset generates it: llama.cpp loads it (it refuses a token twice) and uses it. */
    @Test
    void aGeneratedVocabularyOfSarvamsSizeLoadsInLlamaServer() throws Exception {
        var server = dev.ragdesk.testing.LlamaServerBinary.require();
        var file = SyntheticGguf.llama().vocabulary(68_096).writeTo(dir.resolve("big-vocab.gguf"));
        try (var probe = dev.ragdesk.testing.ServerProbe.start(server, file, dir.resolve("run"))) {
            var tokens = probe.post("/tokenize", "{\"content\":\"the little dog\"}").get("tokens");
            assertEquals("the little dog", probe.post("/detokenize", "{\"tokens\":" + tokens + "}").get("content").asText().strip(),
                    "the text comes back from its tokens");
            var last = probe.post("/detokenize", "{\"tokens\":[68095]}").get("content").asText();
            assertEquals("q" + (68_096 - 3 - 256 - 34 - 1), last.strip(), "the last generated token is the last id");
        }
    }
}
