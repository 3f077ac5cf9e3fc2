package dev.ragdesk.embed;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.io.NativeCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sentence-embedding model in ONNX form, run by ONNX Runtime on the CPU (so it never takes
 * VRAM from the LLM), with its HuggingFace tokenizer.json. Pools the last hidden state over the
 * attention mask (or takes the first token) and L2-normalises. Texts are sorted by length and
 * cut into batches, so a batch pads little. Thread-safe: every native call runs on the model's
 * own {@link NativeLane}, so the indexer and a search can share one model.
 */
public final class OnnxEmbedder implements Embedder {
    private static final Logger log = LoggerFactory.getLogger(OnnxEmbedder.class);

    private final String id;
    private final String displayName;
    private final Config.Embedding settings;
    private final HuggingFaceTokenizer tokenizer;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean wantsTokenTypes;
    private final String output;
    private final boolean pooled;
    private final int dimensions;
    private final NativeLane lane;

    private OnnxEmbedder(NativeLane lane, String id, String displayName, Config.Embedding settings, HuggingFaceTokenizer tokenizer,
                         OrtEnvironment environment, OrtSession session, boolean wantsTokenTypes, String output,
                         boolean pooled, int dimensions) {
        this.lane = lane;
        this.id = id;
        this.displayName = displayName;
        this.settings = settings;
        this.tokenizer = tokenizer;
        this.environment = environment;
        this.session = session;
        this.wantsTokenTypes = wantsTokenTypes;
        this.output = output;
        this.pooled = pooled;
        this.dimensions = dimensions;
    }

    /**
     * Loads the model and its tokenizer, and embeds one probe text, so that a model that is not
     * a sentence encoder, or a tokenizer that is not the model's, fails here in one line rather
     * than halfway through indexing.
     */
    /**
     * Native code is unpacked once per user, into {@code ~/.cache/ragdesk/natives} (or
     * {@code $XDG_CACHE_HOME}): the tokenizer's, not into ~/.djl.ai, and ONNX Runtime's, which
     * would otherwise copy 28 MB into a new /tmp folder on every start and leave it there
     * whenever the process is killed. Per user rather than per workspace, because both
     * libraries read the setting once per process.
     */
    static synchronized void useNativeCache() {
        var natives = NativeCache.dir(System.getenv());
        if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null) {
            System.setProperty("DJL_CACHE_DIR", natives.resolve("djl").toString());
        }
        if (System.getProperty("onnxruntime.native.path") == null) {
            OnnxNatives.unpack(natives.resolve("onnxruntime")).ifPresent(dir -> System.setProperty("onnxruntime.native.path", dir.toString()));
        }
    }

    public static OnnxEmbedder load(EmbedModelFiles files, Config.Embedding settings) throws RagdeskException {
        useNativeCache(); // before ONNX Runtime's classes load: they read the setting once
        var lane = new NativeLane();
        try {
            return lane.call(() -> loadOnLane(lane, files, settings));
        } catch (RagdeskException e) {
            lane.close();
            throw e;
        } catch (Exception | Error e) {
            lane.close();
            throw new RagdeskException("cannot load the embed model " + files.model() + " (" + firstLine(e) + ")", e);
        }
    }

    private static OnnxEmbedder loadOnLane(NativeLane lane, EmbedModelFiles files, Config.Embedding settings) throws RagdeskException {
        var tokenizer = tokenizer(files, settings);
        OrtSession session = null;
        try {
            // ONNX Runtime logs to stderr, which is the user's terminal: only a fatal error may
            // speak there, and every failure reaches the user as this class's one line instead
            var environment = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "ragdesk");
            try (var options = new OrtSession.SessionOptions()) {
                options.setSessionLogLevel(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
                options.setIntraOpNumThreads(settings.effectiveThreads());
                options.setInterOpNumThreads(1);
                // ONNX Runtime's pool threads spin after each run by default; on a small machine
                // that steals the cores Lucene (or the LLM) needs between embeddings
                options.addConfigEntry("session.intra_op.allow_spinning", "0");
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                session = environment.createSession(files.model().toString(), options);
            }
            var inputs = session.getInputNames();
            if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
                throw new RagdeskException(notAnEncoder(files, "its inputs are " + inputs + ", not input_ids and attention_mask"));
            }
            var chosen = chooseOutput(session, files);
            var embedder = new OnnxEmbedder(lane, files.id(settings), files.displayName(), settings, tokenizer, environment, session,
                    inputs.contains("token_type_ids"), chosen.name(), chosen.pooled(), chosen.dimensions());
            embedder.probeOnLane(files);
            log.info("embed model {} loaded: {} dimensions, output {}, {} threads", files.displayName(), embedder.dimensions,
                    chosen.name(), settings.effectiveThreads());
            return embedder;
        } catch (OrtException e) {
            closeQuietly(session, tokenizer);
            throw new RagdeskException("ONNX Runtime cannot load the embed model " + files.model() + " (" + firstLine(e)
                    + "); it must be a sentence-embedding model in ONNX form: run `ragdesk download embed` again, "
                    + "or fix [models.embed] in config.toml", e);
        } catch (RagdeskException | RuntimeException | Error e) {
            closeQuietly(session, tokenizer);
            if (e instanceof RagdeskException r) throw r;
            throw new RagdeskException("cannot load the embed model " + files.model() + " (" + firstLine(e) + ")", e);
        }
    }

    private static HuggingFaceTokenizer tokenizer(EmbedModelFiles files, Config.Embedding settings) throws RagdeskException {
        if (!Files.isRegularFile(files.tokenizer())) {
            throw new RagdeskException("the embed tokenizer " + files.tokenizer() + " does not exist; run `ragdesk download embed`");
        }
        try {
            // padding is ours (per batch, to its longest text); truncation at the model's limit
            return HuggingFaceTokenizer.newInstance(files.tokenizer(), Map.of(
                    "padding", "false", "truncation", "true", "maxLength", String.valueOf(settings.maxTokens()),
                    "addSpecialTokens", "true"));
        } catch (Exception | Error e) {
            throw new RagdeskException("the embed tokenizer " + files.tokenizer() + " cannot be read (" + firstLine(e)
                    + "); it must be the model's tokenizer.json: run `ragdesk download embed` again, or fix [models.embed].tokenizer", e);
        }
    }

    private record Output(String name, boolean pooled, int dimensions) {}

    /** A token-level output to pool (last_hidden_state, token_embeddings), or a sentence-level one used as is. */
    private static Output chooseOutput(OrtSession session, EmbedModelFiles files) throws OrtException, RagdeskException {
        var infos = session.getOutputInfo();
        for (var preferred : List.of("sentence_embedding", "last_hidden_state", "token_embeddings")) {
            var info = infos.get(preferred);
            if (info != null && info.getInfo() instanceof TensorInfo t) {
                var shape = t.getShape();
                int dims = (int) shape[shape.length - 1];
                return new Output(preferred, shape.length == 2, dims);
            }
        }
        for (var entry : infos.entrySet()) {
            if (entry.getValue().getInfo() instanceof TensorInfo t && (t.getShape().length == 3 || t.getShape().length == 2)) {
                var shape = t.getShape();
                return new Output(entry.getKey(), shape.length == 2, (int) shape[shape.length - 1]);
            }
        }
        throw new RagdeskException(notAnEncoder(files, "none of its outputs " + infos.keySet() + " is a vector per token or per text"));
    }

    private void probeOnLane(EmbedModelFiles files) throws RagdeskException {
        // several scripts and rare words: a foreign tokenizer's ids overrun the model's vocabulary
        var vector = embedOnLane(List.of(settings.queryPrefix() + "ragdesk probe: भारत की नदियाँ, தமிழ், বাংলা, zygomorphic quasar 𝛑")).get(0);
        if (vector.length == 0 || !Float.isFinite(vector[0])) throw new RagdeskException(notAnEncoder(files, "it gave no vector"));
    }

    private static String notAnEncoder(EmbedModelFiles files, String why) {
        return "the embed model " + files.model() + " is not a sentence-embedding model (" + why
                + "); point [models.embed] at one, such as intfloat/multilingual-e5-small onnx/model.onnx";
    }

    @Override public String id() { return id; }
    @Override public String displayName() { return displayName; }
    @Override public int dimensions() { return dimensions; }

    @Override
    public float[] query(String text) throws RagdeskException {
        return embed(List.of(settings.queryPrefix() + text)).get(0);
    }

    @Override
    public List<float[]> passages(List<String> texts) throws RagdeskException {
        var prefixed = new ArrayList<String>(texts.size());
        for (var t : texts) prefixed.add(settings.passagePrefix() + t);
        return embed(prefixed);
    }

    private List<float[]> embed(List<String> texts) throws RagdeskException {
        if (texts.isEmpty()) return List.of();
        try {
            return lane.call(() -> embedOnLane(texts));
        } catch (RagdeskException e) {
            throw e;
        } catch (Exception | Error e) { // native trouble or memory: the operation ends in one line, the app goes on
            throw new RagdeskException("embedding failed (" + firstLine(e) + ")", e);
        }
    }

    private List<float[]> embedOnLane(List<String> texts) throws RagdeskException {
        Encoding[] encodings;
        try {
            encodings = tokenizer.batchEncode(texts);
        } catch (RuntimeException e) {
            throw new RagdeskException("the embed tokenizer failed (" + firstLine(e) + ")", e);
        }
        var order = new Integer[texts.size()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> encodings[i].getIds().length));
        var vectors = new float[texts.size()][];
        int batch = settings.batchSize();
        for (int from = 0; from < order.length; from += batch) {
            var members = Arrays.copyOfRange(order, from, Math.min(order.length, from + batch));
            var out = run(members, encodings);
            for (int j = 0; j < members.length; j++) vectors[members[j]] = out[j];
        }
        return Arrays.asList(vectors);
    }

    private float[][] run(Integer[] members, Encoding[] encodings) throws RagdeskException {
        int rows = members.length;
        int width = 0;
        for (var m : members) width = Math.max(width, encodings[m].getIds().length);
        var ids = new long[rows * width];
        var mask = new long[rows * width];
        for (int r = 0; r < rows; r++) {
            var e = encodings[members[r]];
            System.arraycopy(e.getIds(), 0, ids, r * width, e.getIds().length);
            System.arraycopy(e.getAttentionMask(), 0, mask, r * width, e.getAttentionMask().length);
        }
        long[] shape = {rows, width};
        var tensors = new HashMap<String, OnnxTensor>();
        try {
            tensors.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
            tensors.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
            if (wantsTokenTypes) tensors.put("token_type_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[rows * width]), shape));
            try (var result = session.run(tensors, Set.of(output))) {
                var tensor = (OnnxTensor) result.get(0);
                var values = tensor.getFloatBuffer();
                var out = new float[rows][];
                for (int r = 0; r < rows; r++) {
                    out[r] = pooled ? row(values, r, dimensions) : pool(values, mask, r, width, dimensions, settings.pooling());
                    normalise(out[r]);
                }
                return out;
            }
        } catch (OrtException e) {
            throw new RagdeskException(runFailure(e, width), e);
        } finally {
            tensors.values().forEach(OnnxTensor::close);
        }
    }

    private String runFailure(OrtException e, int tokens) {
        var reason = firstLine(e);
        if (reason.contains("indices") || reason.contains("out of bounds") || reason.contains("Gather")) {
            return "the embed tokenizer gives token ids the model does not have (" + reason + "); [models.embed].tokenizer "
                    + "must be this model's own tokenizer.json";
        }
        return "the embed model failed on a text of " + tokens + " tokens (" + reason + "); if it is longer than the model "
                + "allows, lower [embedding].max_tokens";
    }

    private static float[] row(FloatBuffer values, int r, int dims) {
        var v = new float[dims];
        values.get(r * dims, v);
        return v;
    }

    /** Mean over the tokens the mask keeps, or the first token ([CLS]). */
    static float[] pool(FloatBuffer values, long[] mask, int r, int width, int dims, String pooling) {
        var v = new float[dims];
        int base = r * width * dims;
        if (pooling.equals("cls")) {
            values.get(base, v);
            return v;
        }
        int kept = 0;
        for (int t = 0; t < width; t++) {
            if (mask[r * width + t] == 0) continue;
            kept++;
            int at = base + t * dims;
            for (int d = 0; d < dims; d++) v[d] += values.get(at + d);
        }
        if (kept > 0) for (int d = 0; d < dims; d++) v[d] /= kept;
        return v;
    }

    static void normalise(float[] v) {
        double sum = 0;
        for (float x : v) sum += x * x;
        if (sum == 0) return;
        float inv = (float) (1 / Math.sqrt(sum));
        for (int i = 0; i < v.length; i++) v[i] *= inv;
    }

    private static String firstLine(Throwable e) {
        var m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        return m.length() > 200 ? m.substring(0, 200) + "…" : m;
    }

    private static void closeQuietly(OrtSession session, HuggingFaceTokenizer tokenizer) {
        try {
            if (session != null) session.close();
        } catch (OrtException e) {
            log.debug("closing a failed embed session: {}", e.toString());
        }
        tokenizer.close();
    }

    @Override
    public void close() {
        try {
            lane.call(() -> {
                closeQuietly(session, tokenizer);
                return null;
            });
        } catch (Exception e) {
            log.debug("closing the embed model: {}", e.toString());
        } finally {
            lane.close();
        }
    }
}
