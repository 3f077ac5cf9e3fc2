package dev.ragdesk.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Range and choice checks that types alone cannot express. */
final class ConfigValidator {

    /** One problem, at a key path such as [llama, ctx_size]. */
    record Violation(List<String> path, String problem) {}

    private static final Set<String> THEMES = Set.of("default", "mono");
    private static final Set<String> KEYMAPS = Set.of("emacs", "vi");

    private final List<Violation> violations = new ArrayList<>();

    private ConfigValidator() {}

    static List<Violation> validate(Config c) {
        var v = new ConfigValidator();
        var models = Map.of("rag", c.models().rag(), "chat", c.models().chat(),
                "whisper", c.models().whisper(), "embed", c.models().embed(), "tts", c.models().tts());
        models.forEach((role, spec) -> {
            if (!spec.sha256().isEmpty() && !spec.sha256().matches("[0-9a-f]{64}")) {
                v.fail("must be 64 hexadecimal characters (a sha256), or empty", "models", role, "sha256");
            }
            if (!spec.hasLocalPath() && !spec.isRemote() && (spec.repo().isEmpty() || spec.file().isEmpty())) {
                v.fail("needs both repo and file, or a local path", "models", role, "repo");
            }
            if (spec.isRemote()) {
                if (!isHttpUrl(spec.endpoint())) v.fail("must be an http:// or https:// URL", "models", role, "endpoint");
                if (spec.model().isEmpty()) v.fail("must name the model the endpoint serves, as its /v1/models lists it", "models", role, "model");
                if (!role.equals("rag") && !role.equals("chat")) v.fail("only the rag and chat roles can be remote", "models", role, "endpoint");
            }
            if (!spec.apiKeyEnv().isEmpty() && !spec.apiKeyEnv().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                v.fail("must be the name of an environment variable, such as OPENAI_API_KEY", "models", role, "api_key_env");
            }
        });

        v.choice(c.engine().kind(), Config.Engine.KINDS, "engine", "kind");
        v.range(c.engine().idleMinutes(), 0, 7 * 24 * 60, "engine", "idle_minutes");

        var llama = c.llama();
        if (!llama.gpuLayers().isAuto()) v.range(llama.gpuLayers().count(), 0, 100_000, "llama", "gpu_layers");
        v.range(llama.ctxSize(), 128, 1 << 20, "llama", "ctx_size");
        v.range(llama.threads(), 0, 1024, "llama", "threads");

        var r = c.retrieval();
        v.range(r.topK(), 1, 100, "retrieval", "top_k");
        v.range(r.chunkChars(), 200, 100_000, "retrieval", "chunk_chars");
        v.range(r.chunkOverlap(), 0, r.chunkChars() - 1, "retrieval", "chunk_overlap");
        v.range(r.maxFileMb(), 1, 10_000, "retrieval", "max_file_mb");
        v.choice(r.mode(), Config.Retrieval.MODES, "retrieval", "mode");
        v.range(r.rrfK(), 0, 100_000, "retrieval", "rrf_k");
        v.range(r.candidates(), 1, 10_000, "retrieval", "candidates");
        v.range(r.bm25Weight(), 0, 100, "retrieval", "bm25_weight");
        v.range(r.vectorWeight(), 0, 100, "retrieval", "vector_weight");
        v.choice(r.backend(), Config.Retrieval.BACKENDS, "retrieval", "backend");

        var solr = c.solr();
        for (var url : solr.urls()) {
            if (!isHttpUrl(url)) v.fail("must be http:// or https:// URLs of Solr nodes, comma-separated, not \"" + url + "\"", "solr", "url");
        }
        if (!solr.url().isEmpty() && !solr.zkHosts().isEmpty()) v.fail("and [solr].url are both set; give one of them", "solr", "zk_hosts");
        if (r.backend().equals(Config.Retrieval.SOLR) && !solr.hasAddress()) {
            v.fail("is \"solr\" but [solr] has neither url nor zk_hosts; give the cluster's address (see the README)", "retrieval", "backend");
        }
        if (!solr.collection().matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
            v.fail("must be a Solr collection name (letters, digits, _ . -)", "solr", "collection");
        }
        envName(v, solr.passwordEnv(), "SOLR_PASSWORD", "solr", "password_env");
        envName(v, solr.apiKeyEnv(), "SOLR_API_KEY", "solr", "api_key_env");
        if (!solr.user().isEmpty() && solr.passwordEnv().isEmpty()) {
            v.fail("is set but [solr].password_env is not; name the environment variable that holds the password", "solr", "user");
        }
        if (solr.user().isEmpty() && !solr.passwordEnv().isEmpty()) {
            v.fail("is set but [solr].user is not; name the Solr user the password is for", "solr", "password_env");
        }
        if (!solr.user().isEmpty() && !solr.apiKeyEnv().isEmpty()) {
            v.fail("and [solr].user are both set; Solr takes one kind of credentials, give one", "solr", "api_key_env");
        }
        v.range(solr.shards(), 1, 1024, "solr", "shards");
        v.range(solr.replicas(), 1, 16, "solr", "replicas");

        var e = c.embedding();
        v.choice(e.pooling(), Config.Embedding.POOLINGS, "embedding", "pooling");
        v.range(e.maxTokens(), 8, 8192, "embedding", "max_tokens");
        v.range(e.batchSize(), 1, 1024, "embedding", "batch_size");
        v.range(e.threads(), 0, 1024, "embedding", "threads");

        v.range(c.chat().temperature(), 0, 2, "chat", "temperature");
        v.range(c.chat().maxTokens(), 1, 32_768, "chat", "max_tokens");
        v.range(c.rag().temperature(), 0, 2, "rag", "temperature");
        v.range(c.rag().maxTokens(), 1, 32_768, "rag", "max_tokens");
        v.range(c.rag().passageTokens(), 64, 1 << 20, "rag", "passage_tokens");

        v.choice(c.ui().theme(), THEMES, "ui", "theme");
        v.choice(c.ui().keymap(), KEYMAPS, "ui", "keymap");
        c.ui().keys().forEach((action, key) -> {
            if (key == null || key.isBlank()) v.fail("must name a key, such as \"Alt-V\"", "ui", "keys", action);
        });

        if (!isHttpUrl(c.hub().endpoint())) v.fail("must be an http:// or https:// URL", "hub", "endpoint");
        if (!c.hub().tokenEnv().matches("[A-Za-z_][A-Za-z0-9_]*")) {
            v.fail("must be the name of an environment variable, such as HF_TOKEN", "hub", "token_env");
        }

        v.range(c.vram().budgetMb(), 0, 1 << 20, "vram", "budget_mb");
        v.choice(c.voice().source(), Set.of("mic", "command", "file"), "voice", "source");
        if (c.voice().source().equals("command") && c.voice().command().isEmpty()) {
            v.fail("is empty but [voice].source is \"command\"; give the program that records (see the README)", "voice", "command");
        }
        if (c.voice().source().equals("file") && c.voice().file().isEmpty()) {
            v.fail("is empty but [voice].source is \"file\"; give a WAV file", "voice", "file");
        }
        return List.copyOf(v.violations);
    }

    private static void envName(ConfigValidator v, String value, String example, String... path) {
        if (!value.isEmpty() && !value.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            v.fail("must be the name of an environment variable, such as " + example, path);
        }
    }

    private void range(Number value, double min, double max, String... path) {
        double d = value.doubleValue();
        if (d < min || d > max) {
            fail("must be between " + plain(min) + " and " + plain(max) + ", not " + value, path);
        }
    }

    private void choice(String value, Set<String> allowed, String... path) {
        if (!allowed.contains(value)) {
            fail("must be one of " + String.join(", ", allowed.stream().sorted().toList()) + ", not \"" + value + "\"", path);
        }
    }

    private void fail(String problem, String... path) {
        violations.add(new Violation(List.of(path), problem));
    }

    private static boolean isHttpUrl(String s) {
        try {
            var uri = URI.create(s);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
