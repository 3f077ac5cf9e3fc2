package dev.ragdesk.models;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.io.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * Gets a model file into {@code .data/models}: already there, linked from the huggingface_hub
 * cache, or downloaded. Resolves a file name the repository spells differently first.
 */
public final class ModelInstaller {
    private static final Logger log = LoggerFactory.getLogger(ModelInstaller.class);

    /** What to install and where. {@code pinnedSha256} comes from config and beats the hub's hash. */
    public record Target(String label, String repo, String revision, String file, String pinnedSha256, Path destination) {}

    /** How it went: "present", "linked" (from the HF cache) or "downloaded". */
    public record Outcome(Target target, Path file, String how, InstalledModel record) {}

    private final HubClient hub;
    private final Downloader downloader;
    private final HfCache cache;

    public ModelInstaller(HubClient hub, Downloader downloader, HfCache cache) {
        this.hub = hub;
        this.downloader = downloader;
        this.cache = cache;
    }

    /**
     * Every file {@code argument} needs: one for most roles, the network and its tokenizer for
     * the embed role. Each is installed on its own (resumed, verified, moved into place), so an
     * interrupted role finishes where it stopped.
     */
    public static List<Target> targets(String argument, Catalogue catalogue, ModelFiles files, Path modelsDir)
            throws RagdeskException {
        var main = target(argument, catalogue, files, modelsDir);
        if (argument.contains(":")) return List.of(main);
        var spec = catalogue.entry(argument).spec();
        var tokenizer = files.tokenizerLocation(argument);
        if (tokenizer.isEmpty()) return List.of(main);
        return List.of(main, new Target(argument + " tokenizer", spec.repo(), spec.revision(), spec.tokenizer(), "",
                tokenizer.get()));
    }

    /** A role of the catalogue, or {@code org/name:file} for any hub file. */
    public static Target target(String argument, Catalogue catalogue, ModelFiles files, Path modelsDir) throws RagdeskException {
        if (argument.contains(":")) {
            var repo = argument.substring(0, argument.indexOf(':'));
            var file = argument.substring(argument.indexOf(':') + 1);
            if (!repo.matches("[\\w.-]+/[\\w.-]+") || file.isBlank() || file.contains("..")) {
                throw new RagdeskException("\"" + argument + "\" is not ROLE or ORG/NAME:FILE, e.g. chat or "
                        + "bartowski/Llama-3.2-3B-Instruct-GGUF:Llama-3.2-3B-Instruct-Q4_K_M.gguf");
            }
            return new Target(argument, repo, "main", file, "", modelsDir.resolve(repo).resolve(file));
        }
        Catalogue.Entry entry;
        try {
            entry = catalogue.entry(argument);
        } catch (IllegalArgumentException e) {
            throw new RagdeskException(e.getMessage() + ", or ORG/NAME:FILE for any hub file");
        }
        var spec = entry.spec();
        if (spec.hasLocalPath()) {
            throw new RagdeskException(argument + " uses the local file " + files.location(argument) + " ([models."
                    + argument + "].path); clear that setting to download " + spec.repo() + " instead");
        }
        return new Target(argument, spec.repo(), spec.revision(), spec.file(), spec.sha256(), files.location(argument));
    }

    public Outcome install(Target target, Consumer<DownloadProgress> listener, Transfer transfer)
            throws RagdeskException, InterruptedException {
        var existing = InstalledModel.readBeside(target.destination());
        if (existing.isPresent() && existing.get().stillMatches(target.destination())
                && (target.pinnedSha256().isEmpty() || target.pinnedSha256().equals(existing.get().sha256()))) {
            return new Outcome(target, target.destination(), "present", existing.get());
        }
        var file = downloader.retrying("asking the hub about " + target.label(), "check the network or HF_ENDPOINT, then try again",
                transfer, () -> new RagdeskException("cancelled"), () -> {}, () -> describe(target));
        var expected = target.pinnedSha256().isEmpty() ? file.sha256() : target.pinnedSha256();
        if (!target.pinnedSha256().isEmpty() && !file.sha256().isEmpty() && !file.sha256().equals(target.pinnedSha256())) {
            throw new RagdeskException("config.toml pins sha256 " + target.pinnedSha256() + " for " + file.displayName()
                    + " but the hub serves " + file.sha256() + "; update the pin or the revision");
        }
        var cached = cache.find(file);
        if (cached.isPresent() && (expected.isEmpty() || cached.get().hashVerified())) {
            return link(target, file, cached.get());
        }
        var result = downloader.download(file, target.destination(), expected, listener, transfer);
        var record = new InstalledModel(file.repo(), file.revision(), file.commit(), file.file(), result.size(),
                result.sha256(), result.hashVerified() ? "sha256" : "size", "download", Instant.now().toString());
        writeRecord(record, target.destination());
        return new Outcome(target, target.destination(), "downloaded", record);
    }

    private HubFile describe(Target target) throws HubException, Retryable {
        try {
            return hub.describeOnce(target.repo(), target.revision(), target.file());
        } catch (HubException e) {
            if (e.status() != 404) throw e;
            var actual = hub.resolveFileName(target.repo(), target.revision(), target.file());
            log.info("{}: the repository names {} as {}", target.label(), target.file(), actual);
            return hub.describeOnce(target.repo(), target.revision(), actual);
        }
    }

    private Outcome link(Target target, HubFile file, HfCache.Hit hit) throws RagdeskException {
        var destination = target.destination();
        try {
            Files.createDirectories(destination.getParent());
            var tmp = destination.resolveSibling("." + destination.getFileName() + ".link");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, hit.file().toAbsolutePath());
            AtomicFiles.moveIntoPlace(tmp, destination);
        } catch (IOException e) {
            throw new RagdeskException("cannot link " + destination + " to the cached " + hit.file() + ": " + e.getMessage(), e);
        }
        var record = new InstalledModel(file.repo(), file.revision(), file.commit(), file.file(), file.size(),
                hit.hashVerified() ? file.sha256() : "", hit.hashVerified() ? "sha256" : "size", "hf-cache", Instant.now().toString());
        writeRecord(record, destination);
        return new Outcome(target, destination, "linked", record);
    }

    private static void writeRecord(InstalledModel record, Path destination) throws RagdeskException {
        try {
            record.writeBeside(destination);
        } catch (IOException e) {
            throw new RagdeskException("installed " + destination + " but cannot record it: " + e.getMessage(), e);
        }
    }
}
