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
    private String name = "ragdesk-tiny-test";
    /** Q4_K_M-like storage (Q4_K, with Q6_K where llama.cpp's Q4_K_M puts it) instead of F32. */
    private boolean quantised;
    private int vocabularySize;
    private float ropeBase = 10000f;
    private boolean tiedOutput;
    private boolean llama3RopeFactors;
    /** A real tokenizer's tokenizer.* entries, copied byte for byte from a vocabulary-only GGUF. */
    private TokenizerEntries tokenizer;

    public static SyntheticGguf llama() { return new SyntheticGguf(); }

    /** The presets of {@link #preset}: the product's two models. */
    public static final List<String> PRESETS = List.of("llama-3.2-3b", "sarvam-1");

    /**
     * A model with the real hyper-parameters of one of the product's models and a Q4_K_M-like
     * size, its weights random: what loading, memory and speed cost without the download.
     *
     * <ul>
     *   <li>llama-3.2-3b: Llama-3.2-3B-Instruct's config (28 layers, 3072 wide, 24 heads, 8 KV
     *       heads, 8192 FFN, rope base 500000 with Llama 3's rope factors, tied output), Llama 3's
     *       real tokenizer from {@code llamaVocabulary} (llama.cpp's ggml-vocab-llama-bpe.gguf:
     *       128,256 tokens, 280,147 merges) and Llama 3's chat template; about 2.0 GB.</li>
     *   <li>sarvam-1: Sarvam-1's config (28 layers, 2048 wide, 16 heads, 8 KV heads, 11008 FFN,
     *       68,096-token vocabulary, rope base 10000, separate output); its SentencePiece vocabulary
     *       is not published as a GGUF here, so the tokens are generated, of the same count; about 1.5 GB.</li>
     * </ul>
     */
    public static SyntheticGguf preset(String preset, Path llamaVocabulary) throws IOException {
        var g = new SyntheticGguf();
        g.quantised = true;
        g.layers = 28;
        g.kvHeads = 8;
        switch (preset) {
            case "llama-3.2-3b" -> {
                g.name = "synthetic Llama-3.2-3B-Instruct (random weights)";
                g.embedding = 3072;
                g.heads = 24;
                g.feedForward = 8192;
                g.contextLength = 131072;
                g.ropeBase = 500000f;
                g.tiedOutput = true;
                g.llama3RopeFactors = true;
                g.tokenizer = TokenizerEntries.read(llamaVocabulary);
                g.vocabularySize = g.tokenizer.tokens();
                g.chatTemplate = LLAMA3_CHAT_TEMPLATE;
            }
            case "sarvam-1" -> {
                g.name = "synthetic Sarvam-1 (random weights)";
                g.embedding = 2048;
                g.heads = 16;
                g.feedForward = 11008;
                g.contextLength = 8192;
                g.vocabularySize = 68096;
            }
            default -> throw new IllegalArgumentException("no synthetic preset \"" + preset + "\"; choose one of " + PRESETS);
        }
        return g;
    }

    /** Llama 3's chat format: header tokens around each role, <|eot_id|> after each turn. */
    static final String LLAMA3_CHAT_TEMPLATE = "{{- bos_token }}{%- for message in messages %}"
            + "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}"
            + "{%- endfor %}{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}";

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
    /** A vocabulary of {@code size} tokens: the tiny one, then generated pieces. */
    public SyntheticGguf vocabulary(int size) { this.vocabularySize = size; return this; }
    public SyntheticGguf chatTemplate(String template) { this.chatTemplate = template; return this; }
    /** An architecture llama.cpp does not know, for "wrong architecture" tests. */
    public SyntheticGguf architecture(String arch) { this.architecture = arch; return this; }

    public int vocabularySize() { return vocabularySize > 0 ? vocabularySize : 3 + 256 + WORDS.size(); }

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
        out.u64(kv.size() + (tokenizer == null ? 0 : tokenizer.count()));
        for (var e : kv.entrySet()) { out.string(e.getKey()); out.value(e.getValue()); }
        if (tokenizer != null) out.raw(tokenizer.bytes());

        long offset = 0;
        for (var t : tensors) {
            out.string(t.name);
            out.u32(t.dims.length);
            for (long d : t.dims) out.u64(d);
            out.u32(t.type.id);
            out.u64(offset);
            offset = align(offset + t.bytes());
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
        var kv = new LinkedHashMap<String, Object>();
        kv.put("general.architecture", architecture);
        kv.put("general.name", name);
        kv.put("general.alignment", new U32(ALIGNMENT));
        if (quantised) kv.put("general.file_type", new U32(15)); // LLAMA_FTYPE_MOSTLY_Q4_K_M
        kv.put(architecture + ".context_length", new U32(contextLength));
        kv.put(architecture + ".embedding_length", new U32(embedding));
        kv.put(architecture + ".block_count", new U32(layers));
        kv.put(architecture + ".feed_forward_length", new U32(feedForward));
        kv.put(architecture + ".attention.head_count", new U32(heads));
        kv.put(architecture + ".attention.head_count_kv", new U32(kvHeads));
        kv.put(architecture + ".rope.dimension_count", new U32(embedding / heads));
        kv.put(architecture + ".rope.freq_base", ropeBase);
        kv.put(architecture + ".attention.layer_norm_rms_epsilon", 1e-5f);
        if (tokenizer == null) vocabulary(kv);
        if (chatTemplate != null) kv.put("tokenizer.chat_template", chatTemplate);
        return kv;
    }

    /** A SentencePiece-style vocabulary: special tokens, the 256 byte tokens, words, then generated pieces up to the size asked for. */
    private void vocabulary(Map<String, Object> kv) {
        var tokens = new ArrayList<String>();
        var scores = new ArrayList<Float>();
        var types = new ArrayList<Integer>();
        tokens.add("<unk>"); scores.add(0f); types.add(2);
        tokens.add("<s>"); scores.add(0f); types.add(3);
        tokens.add("</s>"); scores.add(0f); types.add(3);
        for (int b = 0; b < 256; b++) { tokens.add(String.format("<0x%02X>", b)); scores.add(0f); types.add(6); }
        for (int i = 0; i < WORDS.size(); i++) { tokens.add(WORDS.get(i)); scores.add(-1f - i); types.add(1); }
        for (int i = 0; tokens.size() < vocabularySize(); i++) {
            // "▁q…" is no word above ("▁w…" made "▁was" twice, which llama.cpp refuses)
            tokens.add("▁q" + i); scores.add(-100f - i); types.add(1);
        }
        kv.put("tokenizer.ggml.model", "llama");
        kv.put("tokenizer.ggml.tokens", tokens);
        kv.put("tokenizer.ggml.scores", scores);
        kv.put("tokenizer.ggml.token_type", types);
        kv.put("tokenizer.ggml.unknown_token_id", new U32(0));
        kv.put("tokenizer.ggml.bos_token_id", new U32(1));
        kv.put("tokenizer.ggml.eos_token_id", new U32(2));
    }

    /** How a tensor's values are made, as it is written. */
    private interface Fill {
        void write(Random random, Tensor t, Out out) throws IOException;
    }

    /** The storage types written: F32, and Q4_K and Q6_K for the quantised presets (ggml's type ids and block sizes). */
    enum Storage {
        F32(0, 4, 1), Q4_K(12, 144, 256), Q6_K(14, 210, 256);

        final int id;
        final int blockBytes;
        final int blockElements;

        Storage(int id, int blockBytes, int blockElements) {
            this.id = id;
            this.blockBytes = blockBytes;
            this.blockElements = blockElements;
        }
    }

    private record Tensor(String name, long[] dims, Storage type, Fill fill) {
        long elements() {
            long n = 1;
            for (long d : dims) n *= d;
            return n;
        }

        long bytes() {
            return elements() / type.blockElements * type.blockBytes;
        }
    }

    private List<Tensor> tensors() {
        int vocab = vocabularySize();
        int kvDim = embedding / heads * kvHeads;
        var list = new ArrayList<Tensor>();
        // a tied output reads the embedding matrix for the logits too, so Q4_K_M keeps it at Q6_K
        list.add(quantised ? matrix("token_embd.weight", embedding, vocab, tiedOutput ? Storage.Q6_K : Storage.Q4_K)
                : withColumn("token_embd.weight", embedding, vocab, GUARD));
        list.add(ones("output_norm.weight", embedding));
        if (quantised && !tiedOutput) list.add(matrix("output.weight", embedding, vocab, Storage.Q6_K));
        else if (!quantised) list.add(outputWithWordsOnly(embedding, vocab));
        if (llama3RopeFactors) list.add(llama3RopeFactors());
        for (int l = 0; l < layers; l++) {
            var p = "blk." + l + ".";
            // llama.cpp's Q4_K_M gives attn_v and ffn_down more bits in the first and last eighth and every third layer between
            var moreBits = l < layers / 8 || l >= 7 * layers / 8 || (l - layers / 8) % 3 == 2 ? Storage.Q6_K : Storage.Q4_K;
            list.add(ones(p + "attn_norm.weight", embedding));
            list.add(matrix(p + "attn_q.weight", embedding, embedding, Storage.Q4_K));
            list.add(matrix(p + "attn_k.weight", embedding, kvDim, Storage.Q4_K));
            list.add(matrix(p + "attn_v.weight", embedding, kvDim, moreBits));
            list.add(quantised ? matrix(p + "attn_output.weight", embedding, embedding, Storage.Q4_K)
                    : leavingGuardAlone(p + "attn_output.weight", embedding, embedding));
            list.add(ones(p + "ffn_norm.weight", embedding));
            list.add(matrix(p + "ffn_gate.weight", embedding, feedForward, Storage.Q4_K));
            list.add(quantised ? matrix(p + "ffn_down.weight", feedForward, embedding, moreBits)
                    : leavingGuardAlone(p + "ffn_down.weight", feedForward, embedding));
            list.add(matrix(p + "ffn_up.weight", embedding, feedForward, Storage.Q4_K));
        }
        return list;
    }

    /** ne0 = columns (the input dimension), as GGUF lists dimensions innermost first. */
    private Tensor matrix(String name, int ne0, int ne1, Storage quantisedAs) {
        if (!quantised) return gaussian(name, ne0, ne1, (i, drawn) -> drawn);
        return new Tensor(name, new long[] {ne0, ne1}, quantisedAs, (random, t, out) -> {
            var pool = QuantisedBlocks.pool(quantisedAs, random);
            long blocks = t.elements() / quantisedAs.blockElements;
            int start = random.nextInt(pool.length / quantisedAs.blockBytes);
            for (long b = 0; b < blocks; b++) {
                int at = (int) ((start + b) % (pool.length / quantisedAs.blockBytes)) * quantisedAs.blockBytes;
                out.raw(pool, at, quantisedAs.blockBytes);
            }
        });
    }

    /**
     * Llama 3's rope scaling as llama.cpp stores it, a factor per frequency (factor 32, low 1,
     * high 4, 8192 original context): long wavelengths are stretched, short ones kept.
     */
    private Tensor llama3RopeFactors() {
        int n = embedding / heads / 2;
        return new Tensor("rope_freqs.weight", new long[] {n}, Storage.F32, (random, t, out) -> {
            double factor = 32, low = 1, high = 4, original = 8192;
            for (int i = 0; i < n; i++) {
                double frequency = 1.0 / Math.pow(ropeBase, 2.0 * i / (embedding / heads));
                double wavelength = 2 * Math.PI / frequency;
                double f;
                if (wavelength < original / high) f = 1;
                else if (wavelength > original / low) f = factor;
                else {
                    double smooth = (original / wavelength - low) / (high - low);
                    f = 1 / ((1 - smooth) / factor + smooth);
                }
                out.f32((float) f);
            }
        });
    }

    /**
     * The tiny models answer in words only, and never end on their own: dimension 0 of the
     * residual stream is a constant the layers leave alone ({@link #GUARD} in every token's
     * embedding, nothing written to it by attention or the feed-forward), so after the final norm
     * it is always positive; the special and byte tokens' output rows read only that dimension,
     * negatively. Their logits are below zero at every position, where a word's rarely are all,
     * so greedy decoding emits words (a random byte sequence is rarely valid UTF-8 and would merge
     * into fewer streamed pieces) and never the end-of-text token (a test that cancels a long
     * answer once saw it end after two lines).
     */
    private static Tensor outputWithWordsOnly(int embedding, int vocab) {
        long specials = (3L + 256) * embedding;
        return gaussian("output.weight", embedding, vocab, (i, drawn) -> {
            boolean guard = i % embedding == 0;
            return i < specials ? (guard ? -8f : 0f) : guard ? 0f : drawn;
        });
    }

    /** The constant in dimension 0 of every token's embedding (see {@link #outputWithWordsOnly}). */
    private static final float GUARD = 2f;

    /** A random matrix whose column 0 (the first input dimension of each row) is {@code value}. */
    private static Tensor withColumn(String name, int ne0, int ne1, float value) {
        return gaussian(name, ne0, ne1, (i, drawn) -> i % ne0 == 0 ? value : drawn);
    }

    /** A random matrix into the residual stream that writes nothing to dimension 0 (its first output row is zero). */
    private static Tensor leavingGuardAlone(String name, int ne0, int ne1) {
        return gaussian(name, ne0, ne1, (i, drawn) -> i < ne0 ? 0f : drawn);
    }

    /** Element {@code i}'s value, given the gaussian drawn for it (drawn for every element, so a seed's stream never shifts). */
    private interface Element {
        float at(long i, float drawn);
    }

    /** An F32 matrix of gaussians (σ 0.3), each element passed through {@code element}. */
    private static Tensor gaussian(String name, int ne0, int ne1, Element element) {
        return new Tensor(name, new long[] {ne0, ne1}, Storage.F32, (random, t, out) -> {
            for (long i = 0; i < t.elements(); i++) out.f32(element.at(i, (float) (random.nextGaussian() * 0.3)));
        });
    }

    private static Tensor ones(String name, int n) {
        return new Tensor(name, new long[] {n}, Storage.F32, (random, t, out) -> {
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
        void raw(byte[] b, int offset, int length) throws IOException { stream.write(b, offset, length); written += length; }
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
