package dev.ragdesk.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Writes a tiny but real GGUF v3 llama model (F32, seeded random weights, byte-fallback
 * SentencePiece-style vocabulary) that java-llama.cpp loads and generates with. It keeps the
 * always-on tests independent of any downloaded or shared model file.
 */
public final class TinyGguf {

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

    public static TinyGguf llama() { return new TinyGguf(); }

    public TinyGguf layers(int n) { this.layers = n; return this; }
    public TinyGguf embedding(int n) { this.embedding = n; return this; }
    public TinyGguf seed(long s) { this.seed = s; return this; }
    public TinyGguf chatTemplate(String template) { this.chatTemplate = template; return this; }
    /** An architecture llama.cpp does not know, for "wrong architecture" tests. */
    public TinyGguf architecture(String arch) { this.architecture = arch; return this; }

    public int vocabularySize() { return 3 + 256 + WORDS.size(); }

    public Path writeTo(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, bytes());
        return file;
    }

    public byte[] bytes() {
        var tensors = tensors();
        var kv = metadata();
        var out = new Out();
        out.raw("GGUF".getBytes(StandardCharsets.US_ASCII));
        out.u32(3);
        out.u64(tensors.size());
        out.u64(kv.size());
        kv.forEach((key, value) -> { out.string(key); out.value(value); });

        long offset = 0;
        for (var t : tensors) {
            out.string(t.name);
            out.u32(t.dims.length);
            for (long d : t.dims) out.u64(d);
            out.u32(0); // GGML_TYPE_F32
            out.u64(offset);
            offset = align(offset + t.data.length * 4L);
        }
        out.padTo(ALIGNMENT);
        for (var t : tensors) {
            var buf = ByteBuffer.allocate(t.data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : t.data) buf.putFloat(f);
            out.raw(buf.array());
            out.padTo(ALIGNMENT);
        }
        return out.toByteArray();
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

    private record Tensor(String name, long[] dims, float[] data) {}

    private List<Tensor> tensors() {
        var random = new Random(seed);
        int vocab = vocabularySize();
        int kvDim = embedding / heads * kvHeads;
        var list = new ArrayList<Tensor>();
        list.add(matrix(random, "token_embd.weight", embedding, vocab));
        list.add(ones("output_norm.weight", embedding));
        list.add(outputWithWordsOnly(random, embedding, vocab));
        for (int l = 0; l < layers; l++) {
            var p = "blk." + l + ".";
            list.add(ones(p + "attn_norm.weight", embedding));
            list.add(matrix(random, p + "attn_q.weight", embedding, embedding));
            list.add(matrix(random, p + "attn_k.weight", embedding, kvDim));
            list.add(matrix(random, p + "attn_v.weight", embedding, kvDim));
            list.add(matrix(random, p + "attn_output.weight", embedding, embedding));
            list.add(ones(p + "ffn_norm.weight", embedding));
            list.add(matrix(random, p + "ffn_gate.weight", embedding, feedForward));
            list.add(matrix(random, p + "ffn_down.weight", feedForward, embedding));
            list.add(matrix(random, p + "ffn_up.weight", embedding, feedForward));
        }
        return list;
    }

    /** ne0 = columns (the input dimension), as GGUF lists dimensions innermost first. */
    private static Tensor matrix(Random random, String name, int ne0, int ne1) {
        var data = new float[ne0 * ne1];
        for (int i = 0; i < data.length; i++) data[i] = (float) (random.nextGaussian() * 0.3);
        return new Tensor(name, new long[] {ne0, ne1}, data);
    }

    /**
     * Zero logits for the special and byte tokens, so greedy decoding emits whole words: a random
     * byte sequence is rarely valid UTF-8 and would be merged into fewer streamed pieces.
     */
    private static Tensor outputWithWordsOnly(Random random, int embedding, int vocab) {
        var t = matrix(random, "output.weight", embedding, vocab);
        java.util.Arrays.fill(t.data, 0, (3 + 256) * embedding, 0f);
        return t;
    }

    private static Tensor ones(String name, int n) {
        var data = new float[n];
        java.util.Arrays.fill(data, 1f);
        return new Tensor(name, new long[] {n}, data);
    }

    private record U32(int value) {}

    /** Little-endian GGUF serialiser for the handful of value types this file uses. */
    private static final class Out {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        void raw(byte[] b) { bytes.writeBytes(b); }
        void u32(int v) { raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array()); }
        void i32(int v) { u32(v); }
        void u64(long v) { raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array()); }
        void f32(float v) { raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array()); }
        void string(String s) { var b = s.getBytes(StandardCharsets.UTF_8); u64(b.length); raw(b); }

        void padTo(int alignment) {
            while (bytes.size() % alignment != 0) bytes.write(0);
        }

        void value(Object v) {
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

        byte[] toByteArray() { return bytes.toByteArray(); }
    }
}
