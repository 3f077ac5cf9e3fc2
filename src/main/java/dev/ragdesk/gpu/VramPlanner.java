package dev.ragdesk.gpu;

import dev.ragdesk.models.GgufHeader;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Chooses {@code gpu_layers} from a GGUF header before loading, so a model fits a small card:
 * the most layers whose weights, KV cache and compute buffers fit in
 * {@code min(free VRAM, [vram].budget_mb)}. The estimate follows llama.cpp's layout: each
 * offloaded layer brings its weights and its share of the f16 KV cache; offloading one more
 * than the layer count brings the output layer; the token embeddings stay in RAM.
 */
public final class VramPlanner {
    private static final Pattern LAYER = Pattern.compile("^blk\\.(\\d+)\\.");
    /** CUDA context, cuBLAS workspace and allocator slack: what a 4 GB card loses before any weight. */
    static final long CUDA_OVERHEAD = 350L << 20;
    static final int UBATCH = 512;

    private VramPlanner() {}

    /**
     * @param freeBytes   free VRAM on the card now
     * @param budgetBytes [vram].budget_mb
     * @param gpuNatives  whether the native library can offload at all
     */
    public static VramPlan plan(GgufHeader header, int ctxSize, long freeBytes, long budgetBytes, boolean gpuNatives) {
        var arch = header.architecture();
        int layers = (int) header.number(arch + ".block_count", 0);
        long limit = Math.min(Math.max(freeBytes, 0), Math.max(budgetBytes, 0));
        var perLayer = new TreeMap<Integer, Long>();
        long output = 0;
        for (var t : header.tensors()) {
            var m = LAYER.matcher(t.name());
            if (m.find()) perLayer.merge(Integer.parseInt(m.group(1)), Math.max(t.bytes(), 0), Long::sum);
            else if (t.name().startsWith("output")) output += Math.max(t.bytes(), 0);
        }
        if (!header.tensors().isEmpty() && output == 0) {
            // tied embeddings: the output layer reuses token_embd
            output = header.tensors().stream().filter(t -> t.name().equals("token_embd.weight")).mapToLong(GgufHeader.TensorInfo::bytes).sum();
        }
        long kvPerLayer = kvBytesPerLayer(header, arch, ctxSize);
        long vocab = header.metadata().get("tokenizer.ggml.tokens") instanceof GgufHeader.ArrayValue a ? a.length() : 32_000;
        long embd = header.number(arch + ".embedding_length", 0);
        long ff = header.number(arch + ".feed_forward_length", 4 * embd);

        if (!gpuNatives) {
            return new VramPlan(0, layers, 0, 0, 0, 0, limit,
                    "the native library is CPU-only (java-llama.cpp's bundled build); set [llama].native_lib_dir to a CUDA build to offload");
        }
        int best = 0;
        long[] bestCost = {0, 0, 0, 0};
        for (int n = 1; n <= layers + 1; n++) {
            var cost = cost(n, layers, perLayer, output, kvPerLayer, vocab, embd, ff);
            if (cost[3] > limit) break;
            best = n;
            bestCost = cost;
        }
        String reason;
        if (best == 0) reason = "not even one layer fits in " + mb(limit) + " MB (free VRAM or [vram].budget_mb); running on the CPU";
        else if (best == layers + 1) reason = "the whole model fits in " + mb(limit) + " MB";
        else reason = best + " of " + layers + " layers fit in " + mb(limit) + " MB; the rest run on the CPU";
        return new VramPlan(best, layers, bestCost[0], bestCost[1], bestCost[2], bestCost[3], limit, reason);
    }

    /** {weights, kv, compute, total} for offloading n layers (n = layers + 1: the output layer too). */
    private static long[] cost(int n, int layers, Map<Integer, Long> perLayer, long output, long kvPerLayer,
                               long vocab, long embd, long ff) {
        long weights = 0;
        int repeating = Math.min(n, layers);
        // llama.cpp offloads the last n repeating layers
        for (int i = layers - repeating; i < layers; i++) weights += perLayer.getOrDefault(i, 0L);
        boolean withOutput = n > layers;
        if (withOutput) weights += output;
        long kv = kvPerLayer * repeating;
        // activations for one micro-batch, plus the logits when the output layer is on the GPU
        long compute = (long) UBATCH * (embd * 4 + ff * 2) * 4 + (withOutput ? (long) UBATCH * vocab * 4 : 0);
        return new long[] {weights, kv, compute, weights + kv + compute + CUDA_OVERHEAD};
    }

    /**
     * What a model holds in RAM when it runs on the CPU: every tensor, the f16 KV cache for
     * {@code ctx} positions in every layer, and the compute buffers with the logits; the figure
     * `bench generate` sets beside the server's measured RSS.
     */
    public static long hostBytes(GgufHeader header, int ctx) {
        var arch = header.architecture();
        int layers = (int) header.number(arch + ".block_count", 0);
        long vocab = header.metadata().get("tokenizer.ggml.tokens") instanceof GgufHeader.ArrayValue a ? a.length() : 32_000;
        long embd = header.number(arch + ".embedding_length", 0);
        long ff = header.number(arch + ".feed_forward_length", 4 * embd);
        long weights = header.tensors().stream().mapToLong(t -> Math.max(t.bytes(), 0)).sum();
        long compute = (long) UBATCH * (embd * 4 + ff * 2) * 4 + (long) UBATCH * vocab * 4;
        return weights + kvBytesPerLayer(header, arch, ctx) * layers + compute;
    }

    /** K and V in f16 for {@code ctx} positions: 2 * ctx * (head_dim * kv_heads) * 2 bytes. */
    static long kvBytesPerLayer(GgufHeader header, String arch, int ctx) {
        long embd = header.number(arch + ".embedding_length", 0);
        long heads = Math.max(1, header.number(arch + ".attention.head_count", 1));
        long kvHeads = header.number(arch + ".attention.head_count_kv", heads);
        long keyLength = header.number(arch + ".attention.key_length", embd / heads);
        long valueLength = header.number(arch + ".attention.value_length", embd / heads);
        return (long) ctx * kvHeads * (keyLength + valueLength) * 2;
    }

    static long mb(long bytes) {
        return bytes >> 20;
    }
}
