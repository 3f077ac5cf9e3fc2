package dev.ragdesk.config;

/**
 * Where one model comes from. A non-empty {@code path} names a local file and wins over
 * {@code repo}/{@code file}.
 */
public record ModelSpec(String repo, String file, String revision, String sha256, String path) {

    public ModelSpec {
        repo = blankToEmpty(repo);
        file = blankToEmpty(file);
        revision = revision == null || revision.isBlank() ? "main" : revision.trim();
        sha256 = blankToEmpty(sha256).toLowerCase(java.util.Locale.ROOT);
        path = blankToEmpty(path);
    }

    public static ModelSpec hub(String repo, String file) {
        return new ModelSpec(repo, file, "main", "", "");
    }

    public boolean hasLocalPath() { return !path.isEmpty(); }

    /** Fills whatever the user left out with the catalogue's default. */
    ModelSpec over(ModelSpec defaults) {
        return new ModelSpec(
                repo.isEmpty() ? defaults.repo : repo,
                file.isEmpty() ? defaults.file : file,
                revision,
                sha256.isEmpty() ? defaults.sha256 : sha256,
                path.isEmpty() ? defaults.path : path);
    }

    private static String blankToEmpty(String s) { return s == null ? "" : s.trim(); }
}
