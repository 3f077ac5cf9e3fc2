package dev.ragdesk.models;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.testing.Fixtures;
import dev.ragdesk.bench.SyntheticGguf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class GgufHeaderTest {

    @TempDir Path dir;

    @Test
    void readsTheGeneratedModel() throws Exception {
        var file = SyntheticGguf.llama().layers(3).embedding(64).writeTo(dir.resolve("t.gguf"));
        var h = GgufHeader.read(file);
        assertEquals(3, h.version());
        assertEquals("llama", h.architecture());
        assertEquals(3, h.number("llama.block_count", -1));
        assertEquals(64, h.number("llama.embedding_length", -1));
        assertEquals(3 + 9 * 3, h.tensors().size());
        var q = h.tensors().stream().filter(t -> t.name().equals("blk.0.attn_q.weight")).findFirst().orElseThrow();
        assertArrayEquals(new long[] {64, 64}, q.dims());
        assertEquals(64 * 64 * 4, q.bytes());
        assertEquals(Files.size(file), h.dataOffset() + h.dataBytes() + padding(h), "tensors end at the file's end");
        assertFalse(h.hasChatTemplate());
        var tokens = (GgufHeader.ArrayValue) h.metadata().get("tokenizer.ggml.tokens");
        assertEquals(SyntheticGguf.llama().vocabularySize(), tokens.length());
        assertEquals("<unk>", tokens.elements().get(0));
    }

    private static long padding(GgufHeader h) throws Exception {
        return (32 - (h.dataOffset() + h.dataBytes()) % 32) % 32;
    }

    @Test
    void readsStories260K() throws Exception {
        var h = GgufHeader.read(Fixtures.require("stories260K.gguf"));
        assertEquals("llama", h.architecture());
        assertEquals(5, h.number("llama.block_count", -1));
        assertEquals(64, h.number("llama.embedding_length", -1));
        assertEquals(2048, h.number("llama.context_length", -1));
        assertEquals(48, h.tensors().size());
        assertEquals(h.fileSize(), h.dataOffset() + h.dataBytes(), "all F32 tensors account for every byte");
        assertFalse(h.hasChatTemplate());
        assertTrue(GgufHeader.read(Fixtures.require("stories260K-chat-template.gguf")).hasChatTemplate());
    }

    @Test
    void explainsBadFiles() throws Exception {
        var empty = Files.write(dir.resolve("empty.gguf"), new byte[0]);
        assertEquals("not a GGUF model file (only 0 bytes)", assertThrows(RagdeskException.class, () -> GgufHeader.read(empty)).getMessage());
        var text = Files.writeString(dir.resolve("x.gguf"), "hello world");
        assertTrue(assertThrows(RagdeskException.class, () -> GgufHeader.read(text)).getMessage().contains("starts with \"hell\""));
        assertTrue(assertThrows(RagdeskException.class, () -> GgufHeader.read(dir)).getMessage().contains("is a folder"));
    }
}
