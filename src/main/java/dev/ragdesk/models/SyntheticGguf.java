package dev.ragdesk.models;

import dev.ragdesk.io.AtomicFiles;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes a real GGUF v3 llama model (F32, seeded random weights, byte-fallback
 * SentencePiece-style vocabulary) that java-llama.cpp and llama-server load and generate with.
 * Tiny by default, for the always-on tests, which need no downloaded or shared model file; of a
 * chosen size for {@code bench generate --synthetic-mb}, where compute dominates as it does for
 * users. Tensors are generated while they are written, so a 1 GB model needs no 1 GB of heap.
 */
public final class SyntheticGguf {

    /** Words of the vocabulary besides the special and byte tokens; "▁" marks a leading space. */
    private static final List<String> WORDS = List.of(
            "▁", "▁the", "▁a", "▁little", "▁dog", "▁cat", "▁was", "▁and", "▁Once", "▁upon", "▁time",
            "▁there", "▁he", "▁she", "▁it", "▁play", "▁happy", "▁sun", "▁tree", "▁big", ".", ",", "!",
            "e", "t", "a", "o", "n", "s", "h", "r", "d", "l", "u");

    private int embedding = 48;
    private int layers = 2;
    private int heads = 4;
    private int kvHeads = 2;
    private int feedForward = 96;
    private int contextLength = 512;
    private long seed = 42;
    private String architecture = "llama";
    private String chatTemplate;

    public static SyntheticGguf llama() { return new SyntheticGguf(); }

    /**
     * About {@code megabytes} of weights: a 1024-wide model (16 heads, 4 KV heads, 2816 FFN)
     * with as many layers as fit, each about 45 MB in F32.
     */
    public static SyntheticGguf ofSize(int megabytes) {
        var g = new SyntheticGguf();
        g.embedding = 1024;
        g.heads = 16;
        g.kvHeads = 4;
        g.feedForward = 2816;
        g.contextLength = 4096;
        g.layers = Math.max(1, Math.round(megabytes / 45f));
        return g;
    }

    public SyntheticGguf layers(int n) { this.layers = n; return this; }
    public SyntheticGguf embedding(int n) { this.embedding = n; return this; }
    public SyntheticGguf seed(long s) { this.seed = s; return this; }
    public SyntheticGguf chatTemplate(String template) { this.chatTemplate = template; return this; }
    /** An architecture llama.cpp does not know, for "wrong architecture" tests. */
    public SyntheticGguf architecture(String arch) { this.architecture = arch; return this; }

    public int vocabularySize() { return 3 + 256 + WORDS.size(); }

    /** Whole or not at all (temp file, fsync, rename): a benchmark killed mid-write must not leave a model its next run would load. */
    public Path writeTo(Path file) throws IOException {
        var dir = Files.createDirectories(file.toAbsolutePath().getParent());
        var partial = Files.createTempFile(dir, "." + file.getFileName(), ".partial");
        try {
            try (var channel = FileChannel.open(partial, StandardOpenOption.WRITE);
                 var stream = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 20)) {
                write(new Out(stream));
                stream.flush();
                channel.force(true);
            }
            AtomicFiles.moveIntoPlace(partial, file);
        } finally {
            Files.deleteIfExists(partial);
        }
        return file;
    }

    public byte[] bytes() {
        var buffer = new ByteArrayOutputStream();
        try {
            write(new Out(buffer));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffer.toByteArray();
    }

    private void write(Out out) throws IOException {
        var tensors = tensors();
        var kv = metadata();
        out.raw("GGUF".getBytes(StandardCharsets.US_ASCII));
        out.u32(3);
        out.u64(tensors.size());
        out.u64(kv.size());
        for (var e : kv.entrySet()) { out.string(e.getKey()); out.value(e.getValue()); }

        long offset = 0;
        for (var t : tensors) {
            out.string(t.name);
            out.u32(t.dims.length);
            for (long d : t.dims) out.u64(d);
            out.u32(0); // GGML_TYPE_F32
            out.u64(offset);
            offset = align(offset + t.elements() * 4L);
        }
        out.padTo(ALIGNMENT);
        var random = new Random(seed); // drawn in writing order, so a seed always gives the same weights
        for (var t : tensors) {
            t.fill.write(random, t, out);
            out.padTo(ALIGNMENT);
        }
    }

    private static final int ALIGNMENT = 32;

    private static long align(long n) { return (n + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT; }

    private Map<String, Object> metadata() {
        var tokens = new ArrayList<String>();
        var scores = new ArrayList<Float>();
        var types = new ArrayList<Integer>();
        tokens.add("<unk>"); scores.add(0f); types.add(2);
        tokens.add("<s>"); scores.add(0f); types.add(3);
        tokens.add("</s>"); scores.add(0f); types.add(3);
        for (int b = 0; b < 256; b++) { tokens.add(String.format("<0x%02X>", b)); scores.add(0f); types.add(6); }
        for (int i = 0; i < WORDS.size(); i++) { tokens.add(WORDS.get(i)); scores.add(-1f - i); types.add(1); }

        var kv = new LinkedHashMap<String, Object>();
        kv.put("general.architecture", architecture);
        kv.put("general.name", "ragdesk-tiny-test");
        kv.put("general.alignment", new U32(ALIGNMENT));
        kv.put(architecture + ".context_length", new U32(contextLength));
        kv.put(architecture + ".embedding_length", new U32(embedding));
        kv.put(architecture + ".block_count", new U32(layers));
        kv.put(architecture + ".feed_forward_length", new U32(feedForward));
        kv.put(architecture + ".attention.head_count", new U32(heads));
        kv.put(architecture + ".attention.head_count_kv", new U32(kvHeads));
        kv.put(architecture + ".rope.dimension_count", new U32(embedding / heads));
        kv.put(architecture + ".attention.layer_norm_rms_epsilon", 1e-5f);
        kv.put("tokenizer.ggml.model", "llama");
        kv.put("tokenizer.ggml.tokens", tokens);
        kv.put("tokenizer.ggml.scores", scores);
        kv.put("tokenizer.ggml.token_type", types);
        kv.put("tokenizer.ggml.unknown_token_id", new U32(0));
        kv.put("tokenizer.ggml.bos_token_id", new U32(1));
        kv.put("tokenizer.ggml.eos_token_id", new U32(2));
        if (chatTemplate != null) kv.put("tokenizer.chat_template", chatTemplate);
        return kv;
    }

    /** How a tensor's values are made, as it is written. */
    private interface Fill {
        void write(Random random, Tensor t, Out out) throws IOException;
    }

    private record Tensor(String name, long[] dims, Fill fill) {
        long elements() {
            long n = 1;
            for (long d : dims) n *= d;
            return n;
        }
    }

    private List<Tensor> tensors() {
        int vocab = vocabularySize();
        int kvDim = embedding / heads * kvHeads;
        var list = new ArrayList<Tensor>();
        list.add(matrix("token_embd.weight", embedding, vocab));
        list.add(ones("output_norm.weight", embedding));
        list.add(outputWithWordsOnly(embedding, vocab));
        for (int l = 0; l < layers; l++) {
            var p = "blk." + l + ".";
            list.add(ones(p + "attn_norm.weight", embedding));
            list.add(matrix(p + "attn_q.weight", embedding, embedding));
            list.add(matrix(p + "attn_k.weight", embedding, kvDim));
            list.add(matrix(p + "attn_v.weight", embedding, kvDim));
            list.add(matrix(p + "attn_output.weight", embedding, embedding));
            list.add(ones(p + "ffn_norm.weight", embedding));
            list.add(matrix(p + "ffn_gate.weight", embedding, feedForward));
            list.add(matrix(p + "ffn_down.weight", feedForward, embedding));
            list.add(matrix(p + "ffn_up.weight", embedding, feedForward));
        }
        return list;
    }

    /** ne0 = columns (the input dimension), as GGUF lists dimensions innermost first. */
    private static Tensor matrix(String name, int ne0, int ne1) {
        return new Tensor(name, new long[] {ne0, ne1}, (random, t, out) -> {
            for (long i = 0; i < t.elements(); i++) out.f32((float) (random.nextGaussian() * 0.3));
        });
    }

    /**
     * Zero logits for the special and byte tokens, so greedy decoding emits whole words: a random
     * byte sequence is rarely valid UTF-8 and would be merged into fewer streamed pieces.
     */
    private static Tensor outputWithWordsOnly(int embedding, int vocab) {
        long zeros = (3L + 256) * embedding;
        return new Tensor("output.weight", new long[] {embedding, vocab}, (random, t, out) -> {
            for (long i = 0; i < t.elements(); i++) {
                float v = (float) (random.nextGaussian() * 0.3);
                out.f32(i < zeros ? 0f : v);
            }
        });
    }

    private static Tensor ones(String name, int n) {
        return new Tensor(name, new long[] {n}, (random, t, out) -> {
            for (int i = 0; i < n; i++) out.f32(1f);
        });
    }

    private record U32(int value) {}

    /** Little-endian GGUF serialiser for the handful of value types this file uses, counting bytes for padding. */
    private static final class Out {
        private final OutputStream stream;
        private final byte[] scratch = new byte[8];
        private final ByteBuffer le = ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN);
        private long written;

        Out(OutputStream stream) { this.stream = stream; }

        void raw(byte[] b) throws IOException { stream.write(b); written += b.length; }
        void u32(int v) throws IOException { le.putInt(0, v); stream.write(scratch, 0, 4); written += 4; }
        void i32(int v) throws IOException { u32(v); }
        void u64(long v) throws IOException { le.putLong(0, v); stream.write(scratch, 0, 8); written += 8; }
        void f32(float v) throws IOException { u32(Float.floatToRawIntBits(v)); }
        void string(String s) throws IOException { var b = s.getBytes(StandardCharsets.UTF_8); u64(b.length); raw(b); }

        void padTo(int alignment) throws IOException {
            while (written % alignment != 0) { stream.write(0); written++; }
        }

        void value(Object v) throws IOException {
            if (v instanceof U32 u) { u32(4); u32(u.value); }
            else if (v instanceof Float f) { u32(6); f32(f); }
            else if (v instanceof String s) { u32(8); string(s); }
            else if (v instanceof List<?> list) {
                u32(9);
                var first = list.get(0);
                int type = first instanceof String ? 8 : first instanceof Float ? 6 : 5;
                u32(type);
                u64(list.size());
                for (var e : list) {
                    switch (type) {
                        case 8 -> string((String) e);
                        case 6 -> f32((Float) e);
                        default -> i32((Integer) e);
                    }
                }
            } else throw new IllegalArgumentException("unsupported GGUF value " + v);
        }
    }
}
