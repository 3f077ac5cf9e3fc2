package dev.ragdesk.models;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What ragdesk knows about an installed model file, kept beside it as
 * {@code <file>.ragdesk.json}, so listing models need not re-hash gigabytes.
 *
 * @param verified "sha256" when the bytes matched a known hash, "size" when only the size could be checked
 * @param source   "download", or "hf-cache" for a link into the huggingface_hub cache
 */
public record InstalledModel(String repo, String revision, String commit, String file, long size, String sha256,
                             String verified, String source, String installedAt) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static Path sidecarOf(Path model) {
        return model.resolveSibling(model.getFileName() + ".ragdesk.json");
    }

    public void writeBeside(Path model) throws IOException {
        AtomicFiles.write(sidecarOf(model), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
    }

    public static Optional<InstalledModel> readBeside(Path model) {
        var sidecar = sidecarOf(model);
        if (!Files.isRegularFile(sidecar)) return Optional.empty();
        try {
            return Optional.of(JSON.readValue(sidecar.toFile(), InstalledModel.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** True when the file on disk still has the recorded size and the record names a verification. */
    public boolean stillMatches(Path model) {
        try {
            return Files.isRegularFile(model) && Files.size(model) == size && !verified.isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
