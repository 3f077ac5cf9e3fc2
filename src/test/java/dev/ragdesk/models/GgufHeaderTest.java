package dev.ragdesk.models;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;

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

    /**
     * A header written here byte by byte, with arrays far larger than the reader's buffer and
     * than what it keeps: the vocabulary's size and first entries, and everything after it
     * (a long template, a key, the tensor table), must come out exactly as written.
     */
    @Test
    void longArraysAreCountedAndSkippedExactly() throws Exception {
        var tokens = new ArrayList<String>();
        for (int i = 0; i < 300_000; i++) tokens.add((i % 7 == 0 ? "▁शब्द" : "tok") + i);
        var template = "{# " + "x".repeat(400_000) + " #}";
        var out = new ByteArrayOutputStream();
        var w = new LittleEndian(out);
        w.bytes("GGUF".getBytes(StandardCharsets.ISO_8859_1)).i32(3).i64(1).i64(5);
        w.string("general.architecture").i32(8).string("llama");
        w.string("tokenizer.ggml.tokens").i32(9).i32(8).i64(tokens.size());
        tokens.forEach(w::string);
        w.string("tokenizer.ggml.scores").i32(9).i32(6).i64(1001);
        for (int i = 0; i < 1001; i++) w.i32(Float.floatToIntBits(-i));
        w.string("tokenizer.chat_template").i32(8).string(template);
        w.string("llama.block_count").i32(4).i32(7);
        w.string("blk.0.ffn_up.weight").i32(2).i64(8).i64(4).i32(0).i64(0);
        int headerEnd = out.size();
        long dataOffset = (headerEnd + 31) / 32 * 32;
        w.bytes(new byte[(int) (dataOffset - headerEnd) + 8 * 4 * 4]);
        var file = Files.write(dir.resolve("big-vocab.gguf"), out.toByteArray());

        var h = GgufHeader.read(file);
        var read = (GgufHeader.ArrayValue) h.metadata().get("tokenizer.ggml.tokens");
        assertEquals(300_000, read.length());
        assertEquals(tokens.subList(0, read.elements().size()), read.elements());
        assertFalse(read.elements().isEmpty());
        var scores = (GgufHeader.ArrayValue) h.metadata().get("tokenizer.ggml.scores");
        assertEquals(1001, scores.length());
        assertEquals(-1f, scores.elements().get(1));
        assertEquals(template, h.metadata().get("tokenizer.chat_template"));
        assertEquals(7, h.number("llama.block_count", -1));
        var tensor = h.tensors().get(0);
        assertEquals("blk.0.ffn_up.weight", tensor.name());
        assertArrayEquals(new long[] {8, 4}, tensor.dims());
        assertEquals(dataOffset, h.dataOffset());
        assertEquals(Files.size(file), h.dataOffset() + h.dataBytes());

        var cut = Files.write(dir.resolve("cut.gguf"), Arrays.copyOf(out.toByteArray(), 1_500_000));
        assertTrue(assertThrows(RagdeskException.class, () -> GgufHeader.read(cut)).getMessage().contains("truncated inside its header"));
    }

    /** Writes GGUF's little-endian fields, independently of the reader under test. */
    private record LittleEndian(ByteArrayOutputStream out) {
        LittleEndian bytes(byte[] b) { out.writeBytes(b); return this; }
        LittleEndian i32(int v) { return bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array()); }
        LittleEndian i64(long v) { return bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array()); }
        LittleEndian string(String s) {
            var b = s.getBytes(StandardCharsets.UTF_8);
            return i64(b.length).bytes(b);
        }
    }
}
