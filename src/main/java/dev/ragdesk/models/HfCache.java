package dev.ragdesk.models;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The huggingface_hub cache ({@code $HF_HUB_CACHE}, else {@code $HF_HOME/hub}, else
 * {@code ~/.cache/huggingface/hub}), laid out as
 * {@code models--org--name/{blobs, snapshots/<commit>/<file>, refs/<revision>}}. A model
 * already there need not be downloaded again.
 */
public final class HfCache {
    private final Path root;

    public HfCache(Path root) {
        this.root = root;
    }

    public static HfCache fromEnvironment(Map<String, String> env) {
        var hubCache = env.get("HF_HUB_CACHE");
        if (hubCache != null && !hubCache.isBlank()) return new HfCache(Path.of(hubCache));
        var hfHome = env.get("HF_HOME");
        if (hfHome != null && !hfHome.isBlank()) return new HfCache(Path.of(hfHome, "hub"));
        return new HfCache(Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub"));
    }

    public Path root() { return root; }

    /** A cached copy of the file with the expected size (and, when known, the expected hash), if any. */
    public Optional<Hit> find(HubFile file) {
        var repoDir = root.resolve("models--" + file.repo().replace("/", "--"));
        if (!Files.isDirectory(repoDir)) return Optional.empty();
        var commits = Stream.<String>builder();
        if (!file.commit().isEmpty()) commits.add(file.commit());
        readRef(repoDir, file.revision()).ifPresent(commits::add);
        if (file.revision().matches("[0-9a-f]{40}")) commits.add(file.revision());
        return commits.build().distinct()
                .map(commit -> repoDir.resolve("snapshots").resolve(commit).resolve(file.file()))
                .map(candidate -> check(candidate, file))
                .flatMap(Optional::stream)
                .findFirst();
    }

    /** A cached file; {@code hashVerified} when its blob is named by the expected sha256, as LFS blobs are. */
    public record Hit(Path file, boolean hashVerified) {}

    private static Optional<Hit> check(Path candidate, HubFile file) {
        try {
            if (!Files.isRegularFile(candidate) || (file.size() >= 0 && Files.size(candidate) != file.size())) return Optional.empty();
            var blobName = candidate.toRealPath().getFileName().toString();
            if (!file.sha256().isEmpty() && blobName.matches("[0-9a-f]{64}") && !blobName.equals(file.sha256())) {
                return Optional.empty(); // same size, other content
            }
            return Optional.of(new Hit(candidate, blobName.equals(file.sha256())));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> readRef(Path repoDir, String revision) {
        try {
            var ref = repoDir.resolve("refs").resolve(revision);
            return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref).trim()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
