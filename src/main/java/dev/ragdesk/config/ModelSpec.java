package dev.ragdesk.config;

import java.util.Locale;

/**
 * Where one model comes from. A non-empty {@code endpoint} names a remote OpenAI-compatible
 * server (vLLM, llama-server, Ollama, LM Studio) that serves {@code model}, with the API key in
 * the environment variable {@code apiKeyEnv}; it wins over everything else. A non-empty
 * {@code path} names a local file and wins over {@code repo}/{@code file}. {@code tokenizer} is
 * a second file the role needs (the embed role's tokenizer.json): a file of the same repository,
 * or with a local {@code path}, a file beside it.
 */
public record ModelSpec(String repo, String file, String revision, String sha256, String path,
                        String endpoint, String model, String apiKeyEnv, String tokenizer) {

    public ModelSpec {
        repo = blankToEmpty(repo);
        file = blankToEmpty(file);
        revision = revision == null || revision.isBlank() ? "main" : revision.trim();
        sha256 = blankToEmpty(sha256).toLowerCase(Locale.ROOT);
        path = blankToEmpty(path);
        endpoint = blankToEmpty(endpoint);
        model = blankToEmpty(model);
        apiKeyEnv = blankToEmpty(apiKeyEnv);
        tokenizer = blankToEmpty(tokenizer);
    }

    public static ModelSpec hub(String repo, String file) {
        return new ModelSpec(repo, file, "main", "", "", "", "", "", "");
    }

    /** A model made of a network file and its tokenizer.json, in one repository. */
    public static ModelSpec hub(String repo, String file, String tokenizer) {
        return new ModelSpec(repo, file, "main", "", "", "", "", "", tokenizer);
    }

    public boolean hasLocalPath() { return !path.isEmpty(); }

    /** Served by a remote endpoint: nothing to download, nothing loaded here. Not a config key. */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isRemote() { return !endpoint.isEmpty(); }

    /** Fills whatever the user left out with the catalogue's default. */
    ModelSpec over(ModelSpec defaults) {
        return new ModelSpec(
                repo.isEmpty() ? defaults.repo : repo,
                file.isEmpty() ? defaults.file : file,
                revision,
                sha256.isEmpty() ? defaults.sha256 : sha256,
                path.isEmpty() ? defaults.path : path,
                endpoint, model, apiKeyEnv,
                tokenizer.isEmpty() ? defaults.tokenizer : tokenizer);
    }

    private static String blankToEmpty(String s) { return s == null ? "" : s.trim(); }
}
