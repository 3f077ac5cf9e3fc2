package dev.ragdesk.embed;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.models.ModelFiles;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The workspace's embed model, loaded on first use and then shared (the indexer and searches
 * may ask from different threads). Knowing whether one is there, and the id its vectors carry,
 * costs no load: an index without vectors never loads the model just to find that out.
 */
public final class Embeddings implements AutoCloseable {
    /** Makes the model ready; called once, on first use. */
    @FunctionalInterface
    public interface Loader {
        Embedder load() throws RagdeskException;
    }

    private final String id;
    private final String displayName;
    private final Config.Embedding settings;
    private final Loader loader;
    private final String missing;
    private final AtomicReference<CompletableFuture<Embedder>> loaded = new AtomicReference<>();

    private Embeddings(String id, String displayName, Config.Embedding settings, Loader loader, String missing) {
        this.id = id;
        this.displayName = displayName;
        this.settings = settings;
        this.loader = loader;
        this.missing = missing;
    }

    private Embeddings(EmbedModelFiles files, Config.Embedding settings, String missing) {
        this(missing.isEmpty() ? files.id(settings) : "", files.displayName(), settings, () -> {
            return OnnxEmbedder.load(files, settings);
        }, missing);
    }

    /**
     * Any model under the id its vectors go by: {@code loader} must give vectors that depend on
     * nothing but the id (benchmarks, and models not read from files).
     */
    public static Embeddings of(String id, String displayName, Config.Embedding settings, Loader loader) {
        return new Embeddings(id, displayName, settings, loader, "");
    }

    /** The embed role of config.toml. */
    public static Embeddings of(Workspace workspace, Config config) {
        var modelFiles = new ModelFiles(workspace, config);
        String missing = "";
        try {
            modelFiles.require("embed");
            modelFiles.requireTokenizer("embed");
        } catch (RagdeskException e) {
            missing = e.getMessage();
        }
        return new Embeddings(EmbedModelFiles.of(workspace, config), config.embedding(), missing);
    }

    /** Given files (benchmarks, tests). */
    public static Embeddings of(EmbedModelFiles files, Config.Embedding settings) {
        return new Embeddings(files, settings, files.present() ? "" : "the embed model " + files.model() + " or its tokenizer "
                + files.tokenizer() + " does not exist");
    }

    /** No embed model: BM25 only. */
    public static Embeddings none() {
        return new Embeddings(new EmbedModelFiles(Path.of(""), Path.of(""), ""), Config.DEFAULTS.embedding(),
                "no embed model configured");
    }

    /** Both files are on disk (they may still fail to load). */
    public boolean available() { return missing.isEmpty(); }

    /** Why there is none, as one line that says what to do. */
    public String missingReason() { return missing; }

    /** The id the vectors of this model carry; empty when there is no model. */
    public String id() { return id; }

    public String displayName() { return displayName; }

    public Config.Embedding settings() { return settings; }

    /** The model, loading it on first use. A failed load is not remembered: the next call tries again. */
    public Embedder get() throws RagdeskException {
        if (!available()) throw new RagdeskException(missing);
        var mine = new CompletableFuture<Embedder>();
        var current = loaded.compareAndExchange(null, mine);
        if (current == null) {
            try {
                mine.complete(loader.load());
            } catch (RagdeskException | RuntimeException | Error e) {
                // never leave the future pending: a later caller would wait on it for good
                loaded.set(null);
                mine.completeExceptionally(e);
                throw e;
            }
            current = mine;
        }
        try {
            return current.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RagdeskException("cancelled while the embed model loaded", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RagdeskException r) throw new RagdeskException(r.getMessage(), r);
            throw new RagdeskException("cannot load the embed model: " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        var current = loaded.getAndSet(null);
        if (current != null && current.isDone() && !current.isCompletedExceptionally()) current.join().close();
    }
}
