package dev.ragdesk.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import dev.ragdesk.config.Config;
import dev.ragdesk.embed.EmbedModelFiles;
import dev.ragdesk.process.Threads;

import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The baseline for embedding throughput: ONNX Runtime and the tokenizer alone, in the plainest
 * loop (batches in corpus order, padded to the longest, mean pooling, L2), with nothing of
 * ragdesk's embedder or indexer. Same threads and batch size as ragdesk's, so the ratio shows
 * what the indexer and ragdesk's embedder cost on top.
 */
final class BareEmbed implements AutoCloseable {
    private final ExecutorService thread = Executors.newSingleThreadExecutor(Threads.daemon("bare-embed", 16L << 20)); // ONNX Runtime needs a deep stack, as in ragdesk
    private final Config.Embedding settings;
    private final OrtEnvironment env;
    private final HuggingFaceTokenizer tokenizer;
    private final OrtSession session;
    private final boolean types;

    private BareEmbed(EmbedModelFiles files, Config.Embedding settings) throws Exception {
        this.settings = settings;
        Callable<Object[]> open = () -> {
            var e = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "ragdesk");
            var t = HuggingFaceTokenizer.newInstance(files.tokenizer(), Map.of("padding", "true", "truncation", "true",
                    "maxLength", String.valueOf(settings.maxTokens())));
            try (var options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(settings.effectiveThreads());
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
                return new Object[] {e, t, e.createSession(files.model().toString(), options)};
            }
        };
        var opened = thread.submit(open).get();
        env = (OrtEnvironment) opened[0];
        tokenizer = (HuggingFaceTokenizer) opened[1];
        session = (OrtSession) opened[2];
        types = session.getInputNames().contains("token_type_ids");
    }

    static BareEmbed open(EmbedModelFiles files, Config.Embedding settings) throws Exception {
        return new BareEmbed(files, settings);
    }

    /** Seconds to embed {@code texts}. */
    double seconds(List<String> texts) throws Exception {
        Callable<Double> work = () -> {
            long t0 = System.nanoTime();
            embed(env, session, tokenizer, types, texts, settings);
            return (System.nanoTime() - t0) / 1e9;
        };
        return thread.submit(work).get();
    }

    @Override
    public void close() throws Exception {
        thread.submit(() -> {
            session.close();
            tokenizer.close();
            return null;
        }).get();
        thread.shutdown();
    }

    private static void embed(OrtEnvironment env, OrtSession session, HuggingFaceTokenizer tokenizer, boolean types, List<String> texts,
                              Config.Embedding settings) throws Exception {
        for (int from = 0; from < texts.size(); from += settings.batchSize()) {
            var batch = texts.subList(from, Math.min(texts.size(), from + settings.batchSize())).stream()
                    .map(t -> settings.passagePrefix() + t).toList();
            var encodings = tokenizer.batchEncode(batch);
            int rows = encodings.length;
            int width = encodings[0].getIds().length;
            var ids = new long[rows * width];
            var mask = new long[rows * width];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(encodings[r].getIds(), 0, ids, r * width, width);
                System.arraycopy(encodings[r].getAttentionMask(), 0, mask, r * width, width);
            }
            long[] shape = {rows, width};
            var inputs = new HashMap<String, OnnxTensor>();
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (types) inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[rows * width]), shape));
            try (var result = session.run(inputs)) {
                var out = ((OnnxTensor) result.get(0)).getFloatBuffer();
                int dims = out.capacity() / (rows * width);
                for (int r = 0; r < rows; r++) {
                    var v = new float[dims];
                    int kept = 0;
                    for (int t = 0; t < width; t++) {
                        if (mask[r * width + t] == 0) continue;
                        kept++;
                        for (int d = 0; d < dims; d++) v[d] += out.get((r * width + t) * dims + d);
                    }
                    double norm = 0;
                    for (int d = 0; d < dims; d++) norm += (v[d] / kept) * (v[d] / kept);
                    if (norm == 0) throw new IllegalStateException("zero vector");
                }
            } finally {
                inputs.values().forEach(OnnxTensor::close);
            }
        }
    }
}
