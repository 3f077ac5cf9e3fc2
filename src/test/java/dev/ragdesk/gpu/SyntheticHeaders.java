package dev.ragdesk.gpu;

import dev.ragdesk.models.GgufHeader;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * GGUF headers with the shapes of the two real models, without their weights: the layer
 * count, dimensions, vocabulary and a Q4_K_M-like mix of tensor types (Q4_K for most
 * matrices, Q6_K for attn_v and ffn_down, Q6_K embeddings, F32 norms).
 */
final class SyntheticHeaders {
    static final int Q4_K = 12;
    static final int Q6_K = 14;
    static final int F32 = 0;

    private SyntheticHeaders() {}

    /** bartowski/Llama-3.2-3B-Instruct Q4_K_M: 28 layers, 3072 wide, 24 heads / 8 KV heads, 8192 FFN, 128256 vocab, tied output. */
    static GgufHeader llama32_3b() {
        return header(28, 3072, 24, 8, 8192, 128_256, true);
    }

    /** Sarvam-1 Q4_K_M: 28 layers, 2048 wide, 16 heads / 8 KV heads, 11008 FFN, 68096 vocab, separate output. */
    static GgufHeader sarvam1() {
        return header(28, 2048, 16, 8, 11008, 68_096, false);
    }

    static GgufHeader header(int layers, long embd, long heads, long kvHeads, long ff, long vocab, boolean tiedOutput) {
        long kvDim = embd / heads * kvHeads;
        var tensors = new ArrayList<GgufHeader.TensorInfo>();
        long offset = 0;
        offset = add(tensors, "token_embd.weight", Q6_K, offset, embd, vocab);
        if (!tiedOutput) offset = add(tensors, "output.weight", Q6_K, offset, embd, vocab);
        offset = add(tensors, "output_norm.weight", F32, offset, embd);
        for (int l = 0; l < layers; l++) {
            var p = "blk." + l + ".";
            offset = add(tensors, p + "attn_norm.weight", F32, offset, embd);
            offset = add(tensors, p + "attn_q.weight", Q4_K, offset, embd, embd);
            offset = add(tensors, p + "attn_k.weight", Q4_K, offset, embd, kvDim);
            offset = add(tensors, p + "attn_v.weight", Q6_K, offset, embd, kvDim);
            offset = add(tensors, p + "attn_output.weight", Q4_K, offset, embd, embd);
            offset = add(tensors, p + "ffn_norm.weight", F32, offset, embd);
            offset = add(tensors, p + "ffn_gate.weight", Q4_K, offset, embd, ff);
            offset = add(tensors, p + "ffn_up.weight", Q4_K, offset, embd, ff);
            offset = add(tensors, p + "ffn_down.weight", Q6_K, offset, ff, embd);
        }
        Map<String, Object> metadata = Map.of(
                "general.architecture", "llama",
                "llama.block_count", (long) layers,
                "llama.embedding_length", embd,
                "llama.feed_forward_length", ff,
                "llama.attention.head_count", heads,
                "llama.attention.head_count_kv", kvHeads,
                "tokenizer.ggml.tokens", new GgufHeader.ArrayValue(8, vocab, List.of()));
        return new GgufHeader(3, metadata, List.copyOf(tensors), 0, offset);
    }

    private static long add(List<GgufHeader.TensorInfo> tensors, String name, int type, long offset, long... dims) {
        var t = new GgufHeader.TensorInfo(name, dims, type, offset);
        tensors.add(t);
        return offset + t.bytes();
    }
}
