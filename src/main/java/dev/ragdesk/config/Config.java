package dev.ragdesk.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The effective settings: {@code config.toml} laid over the documented defaults. Every key is
 * optional; a section or key left out takes the default given here (and in the committed
 * {@code config.toml}, which documents each one).
 */
public record Config(Models models, Engine engine, Llama llama, Retrieval retrieval, Embedding embedding, Chat chat,
                     Rag rag, Ui ui, Hub hub, Vram vram, Voice voice, Solr solr) {

    public static final Config DEFAULTS = new Config(null, null, null, null, null, null, null, null, null, null, null, null);

    public Config {
        engine = engine == null ? new Engine(null, null) : engine;
        models = models == null ? new Models(null, null, null, null, null) : models;
        llama = llama == null ? new Llama(null, null, null, null, null) : llama;
        retrieval = retrieval == null ? new Retrieval(null, null, null, null, null, null, null, null, null, null) : retrieval;
        embedding = embedding == null ? new Embedding(null, null, null, null, null, null) : embedding;
        chat = chat == null ? new Chat(null, null, null) : chat;
        rag = rag == null ? new Rag(null, null, null) : rag;
        ui = ui == null ? new Ui(null, null, null) : ui;
        hub = hub == null ? new Hub(null, null) : hub;
        vram = vram == null ? new Vram(null) : vram;
        voice = voice == null ? new Voice(null, null, null, null) : voice;
        solr = solr == null ? new Solr(null, null, null, null, null, null, null, null) : solr;
    }

    /** These settings with another engine (a benchmark's, a command line's). */
    public Config withEngine(Engine other) {
        return new Config(models, other, llama, retrieval, embedding, chat, rag, ui, hub, vram, voice, solr);
    }

    /** These settings on another Solr collection (a benchmark's own). */
    public Config withSolr(Solr other) {
        return new Config(models, engine, llama, retrieval, embedding, chat, rag, ui, hub, vram, voice, other);
    }

    /** These settings with other retrieval settings (`--backend` on a command line). */
    public Config withRetrieval(Retrieval other) {
        return new Config(models, engine, llama, other, embedding, chat, rag, ui, hub, vram, voice, solr);
    }

    public record Models(ModelSpec rag, ModelSpec chat, ModelSpec whisper, ModelSpec embed, ModelSpec tts) {
        public static final ModelSpec DEFAULT_RAG = ModelSpec.hub("QuantFactory/sarvam-1-GGUF", "sarvam-1.Q4_K_M.gguf");
        public static final ModelSpec DEFAULT_CHAT =
                ModelSpec.hub("bartowski/Llama-3.2-3B-Instruct-GGUF", "Llama-3.2-3B-Instruct-Q4_K_M.gguf");
        public static final ModelSpec DEFAULT_WHISPER = ModelSpec.hub("ggerganov/whisper.cpp", "ggml-base.bin");
        public static final ModelSpec DEFAULT_TTS = ModelSpec.hub("hexgrad/Kokoro-82M", "kokoro-v1_0.pth");
        /** Multilingual (94 languages, Sarvam-1's Indic ones among them), 384 dimensions, MIT. */
        public static final ModelSpec DEFAULT_EMBED =
                ModelSpec.hub("intfloat/multilingual-e5-small", "onnx/model.onnx", "tokenizer.json");

        public Models {
            rag = rag == null ? DEFAULT_RAG : rag.over(DEFAULT_RAG);
            chat = chat == null ? DEFAULT_CHAT : chat.over(DEFAULT_CHAT);
            whisper = whisper == null ? DEFAULT_WHISPER : whisper.over(DEFAULT_WHISPER);
            embed = embed == null ? DEFAULT_EMBED : embed.over(DEFAULT_EMBED);
            tts = tts == null ? DEFAULT_TTS : tts.over(DEFAULT_TTS);
        }

        /** Every role's spec under its config name, in the file's order: rag, chat, whisper, embed, tts. */
        public Map<String, ModelSpec> byRole() {
            var roles = new LinkedHashMap<String, ModelSpec>();
            roles.put("rag", rag);
            roles.put("chat", chat);
            roles.put("whisper", whisper);
            roles.put("embed", embed);
            roles.put("tts", tts);
            return roles;
        }
    }

    /**
     * Which engine runs the models: "jvm" (java-llama.cpp in a worker JVM, works with nothing
     * installed), "llama-server" (llama.cpp's own server, the GPU path), or "auto" (llama-server
     * when one is found, else jvm). {@code llamaServer} is a path to the binary; empty searches.
     */
    public record Engine(String kind, String llamaServer, Integer idleMinutes) {
        public static final Set<String> KINDS = Set.of("auto", "jvm", "llama-server");

        public Engine {
            kind = kind == null ? "auto" : kind.trim();
            llamaServer = llamaServer == null ? "" : llamaServer.trim();
            idleMinutes = idleMinutes == null ? 10 : idleMinutes;
        }

        public Engine(String kind, String llamaServer) {
            this(kind, llamaServer, null);
        }

        /** How long a loaded model may sit unused before its process ends; zero: never. */
        public Duration idleUnload() {
            return Duration.ofMinutes(idleMinutes);
        }
    }

    /** Model settings for every engine (java-llama.cpp's names). */
    public record Llama(GpuLayers gpuLayers, Integer ctxSize, Integer threads, String nativeLibDir, Boolean flashAttn) {
        public Llama {
            gpuLayers = gpuLayers == null ? GpuLayers.AUTO : gpuLayers;
            ctxSize = ctxSize == null ? 4096 : ctxSize;
            threads = threads == null ? 0 : threads;
            nativeLibDir = nativeLibDir == null ? "" : nativeLibDir.trim();
            flashAttn = flashAttn != null && flashAttn;
        }

        /** 0 in the file means "as many as there are cores". */
        public int effectiveThreads() {
            return threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors());
        }
    }

    /**
     * How passages are found. {@code mode}: "bm25" (words), "vector" (meaning, from the embed
     * model), "hybrid" (both, fused by reciprocal rank: each list adds weight / (rrfK + rank)),
     * or "auto": hybrid when an embed model is present, else bm25. {@code candidates} is how deep
     * each list goes before fusing. {@code backend}: "lucene" (the index/ folder of this workspace)
     * or "solr" (the SolrCloud collection of [solr], shared by a team).
     */
    public record Retrieval(Integer topK, Integer chunkChars, Integer chunkOverlap, Integer maxFileMb, String mode,
                            Integer rrfK, Integer candidates, Double bm25Weight, Double vectorWeight, String backend) {
        public static final Set<String> MODES = Set.of("auto", "hybrid", "bm25", "vector");
        public static final String LUCENE = "lucene";
        public static final String SOLR = "solr";
        public static final Set<String> BACKENDS = Set.of(LUCENE, SOLR);

        public Retrieval {
            topK = topK == null ? 5 : topK;
            chunkChars = chunkChars == null ? 1200 : chunkChars;
            chunkOverlap = chunkOverlap == null ? 150 : chunkOverlap;
            maxFileMb = maxFileMb == null ? 50 : maxFileMb;
            mode = mode == null || mode.isBlank() ? "auto" : mode.trim();
            rrfK = rrfK == null ? 60 : rrfK;
            candidates = candidates == null ? 50 : candidates;
            bm25Weight = bm25Weight == null ? 1.0 : bm25Weight;
            vectorWeight = vectorWeight == null ? 1.0 : vectorWeight;
            backend = backend == null || backend.isBlank() ? LUCENE : backend.trim();
        }

        /** These settings searching {@code other} instead ("lucene" or "solr"). */
        public Retrieval withBackend(String other) {
            return new Retrieval(topK, chunkChars, chunkOverlap, maxFileMb, mode, rrfK, candidates, bm25Weight, vectorWeight, other);
        }
    }

    /**
     * A SolrCloud collection for [retrieval].backend = "solr". {@code url}: one or more Solr node
     * URLs, comma-separated ("http://solr1:8983/solr"); or {@code zkHosts}: the cluster's ZooKeeper
     * ("zk1:2181,zk2:2181/solr"). Credentials come from the environment, never the file: basic
     * auth as {@code user} with the password in ${@code passwordEnv}, or a bearer key in
     * ${@code apiKeyEnv}. {@code shards} and {@code replicas} shape a collection that
     * {@code ragdesk index --init} creates.
     */
    public record Solr(String url, String zkHosts, String collection, String user, String passwordEnv, String apiKeyEnv,
                       Integer shards, Integer replicas) {
        public Solr {
            url = url == null ? "" : url.trim();
            zkHosts = zkHosts == null ? "" : zkHosts.trim();
            collection = collection == null || collection.isBlank() ? "ragdesk" : collection.trim();
            user = user == null ? "" : user.trim();
            passwordEnv = passwordEnv == null ? "" : passwordEnv.trim();
            apiKeyEnv = apiKeyEnv == null ? "" : apiKeyEnv.trim();
            shards = shards == null ? 2 : shards;
            replicas = replicas == null ? 2 : replicas;
        }

        public Solr withCollection(String name) {
            return new Solr(url, zkHosts, name, user, passwordEnv, apiKeyEnv, shards, replicas);
        }

        /** Whether [solr] says where the cluster is: node URLs or its ZooKeeper. */
        public boolean hasAddress() {
            return !url.isEmpty() || !zkHosts.isEmpty();
        }

        /** The node URLs of {@code url}, in order. */
        public java.util.List<String> urls() {
            return java.util.Arrays.stream(url.split(",")).map(String::trim).filter(u -> !u.isEmpty()).toList();
        }

        /** Where the collection is, for status lines: "docs at http://solr1:8983/solr". */
        public String describe() {
            return "\"" + collection + "\" at " + (zkHosts.isEmpty() ? url : "ZooKeeper " + zkHosts);
        }
    }

    /**
     * How the embed model is run (ONNX Runtime, on the CPU). The prefixes and pooling are the
     * model's conventions: e5 models want "query: " and "passage: " and mean pooling; a model
     * trained otherwise needs its own. {@code threads} 0 = one per core.
     */
    public record Embedding(String queryPrefix, String passagePrefix, String pooling, Integer maxTokens, Integer batchSize,
                            Integer threads) {
        public static final Set<String> POOLINGS = Set.of("mean", "cls");

        public Embedding {
            queryPrefix = queryPrefix == null ? "query: " : queryPrefix;
            passagePrefix = passagePrefix == null ? "passage: " : passagePrefix;
            pooling = pooling == null || pooling.isBlank() ? "mean" : pooling.trim();
            maxTokens = maxTokens == null ? 512 : maxTokens;
            batchSize = batchSize == null ? 8 : batchSize;
            threads = threads == null ? 0 : threads;
        }

        public int effectiveThreads() {
            return threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors());
        }
    }

    /** Free conversation with the instruct model. */
    public record Chat(String systemPrompt, Double temperature, Integer maxTokens) {
        public static final String DEFAULT_SYSTEM_PROMPT =
                "You are a helpful, concise assistant running locally in a terminal.";

        public Chat {
            systemPrompt = systemPrompt == null ? DEFAULT_SYSTEM_PROMPT : systemPrompt;
            temperature = temperature == null ? 0.7 : temperature;
            maxTokens = maxTokens == null ? 512 : maxTokens;
        }
    }

    /** Answers from retrieved passages with the base model: low temperature, bounded context. */
    public record Rag(Double temperature, Integer maxTokens, Integer passageTokens) {
        public Rag {
            temperature = temperature == null ? 0.2 : temperature;
            maxTokens = maxTokens == null ? 384 : maxTokens;
            passageTokens = passageTokens == null ? 1536 : passageTokens;
        }
    }

    public record Ui(String theme, String keymap, Map<String, String> keys) {
        public static final Map<String, String> DEFAULT_KEYS = orderedKeys(
                "send", "Enter",
                "toggle_mode", "Tab",
                "cancel", "Ctrl-C",
                "dictate", "Alt-V",
                "help", "F1",
                "redraw", "Ctrl-L",
                "scroll_up", "PageUp",
                "scroll_down", "PageDown");

        public Ui {
            theme = theme == null ? "default" : theme.trim();
            keymap = keymap == null ? "emacs" : keymap.trim();
            var merged = new LinkedHashMap<>(DEFAULT_KEYS);
            if (keys != null) merged.putAll(keys);
            keys = Collections.unmodifiableMap(merged);
        }

        private static Map<String, String> orderedKeys(String... pairs) {
            var map = new LinkedHashMap<String, String>();
            for (int i = 0; i < pairs.length; i += 2) map.put(pairs[i], pairs[i + 1]);
            return Collections.unmodifiableMap(map);
        }
    }

    /** Hugging Face Hub access. {@code HF_ENDPOINT} in the environment wins over {@code endpoint}. */
    public record Hub(String endpoint, String tokenEnv) {
        public Hub {
            endpoint = endpoint == null || endpoint.isBlank() ? "https://huggingface.co" : endpoint.trim();
            tokenEnv = tokenEnv == null || tokenEnv.isBlank() ? "HF_TOKEN" : tokenEnv.trim();
        }
    }

    /**
     * Dictation. {@code source}: "mic" (this machine's microphone), "command" (a program that
     * writes raw 16 kHz mono s16le to stdout, e.g. over SSH from your laptop) or "file" (a WAV).
     */
    public record Voice(String source, String command, String file, String language) {
        public Voice {
            source = source == null ? "mic" : source.trim();
            command = command == null ? "" : command.trim();
            file = file == null ? "" : file.trim();
            language = language == null || language.isBlank() ? "auto" : language.trim();
        }
    }

    public record Vram(Integer budgetMb) {
        public Vram {
            budgetMb = budgetMb == null ? 4096 : budgetMb;
        }
    }
}
