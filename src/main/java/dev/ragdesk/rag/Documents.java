package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.rag.solr.SolrCollection;
import dev.ragdesk.rag.solr.SolrConfigset;
import dev.ragdesk.rag.solr.SolrRetriever;
import dev.ragdesk.rag.solr.SolrStore;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** The workspace's document index, built the way config.toml says. */
public final class Documents {
    private Documents() {}

    /** BM25 only: no vectors are made. */
    public static DocumentIndex openForWriting(Workspace workspace, Config config, Map<String, String> env) throws RagdeskException {
        return openForWriting(workspace, config, Embeddings.none(), env);
    }

    /** The local index, BM25 only, whatever [retrieval].backend says: for tests and tools that build one. */
    public static DocumentIndex openForWriting(Workspace workspace, Config config) throws RagdeskException {
        return openForWriting(workspace, config.withRetrieval(config.retrieval().withBackend(Config.Retrieval.LUCENE)), Map.of());
    }

    /**
     * The index [retrieval].backend names: this workspace's folder, or the team's Solr collection
     * as this machine ({@link #hostName}). Chunks get vectors when there is an embed model and
     * [retrieval].mode is not "bm25" (a user who chose words alone does not pay for vectors).
     */
    public static DocumentIndex openForWriting(Workspace workspace, Config config, Embeddings embeddings, Map<String, String> env)
            throws RagdeskException {
        var r = config.retrieval();
        var vectors = embeddings.available() && !r.mode().equals(Retriever.BM25) ? embeddings : Embeddings.none();
        var extractors = new Extractors((long) r.maxFileMb() * 1_000_000);
        var chunker = new Chunker(r.chunkChars(), r.chunkOverlap());
        if (!r.backend().equals(Config.Retrieval.SOLR)) {
            return DocumentIndex.open(workspace.index(), extractors, chunker, DocumentIndex.CommitPolicy.DEFAULT, vectors);
        }
        var collection = SolrCollection.connect(config.solr(), env);
        try {
            var store = SolrStore.open(collection, hostName(env), vectors.available() ? vectors.get().dimensions() : 0);
            return DocumentIndex.on(store, extractors, chunker, DocumentIndex.CommitPolicy.DEFAULT, vectors);
        } catch (RagdeskException | RuntimeException e) {
            collection.close();
            throw e;
        }
    }

    /**
     * For giving the index's chunks vectors ({@code index --embed}, {@code /index --embed}): fails
     * with what to do when there is no embed model, or when [retrieval].mode asks for none.
     */
    public static DocumentIndex openForEmbedding(Workspace workspace, Config config, Embeddings embeddings, Map<String, String> env)
            throws RagdeskException {
        if (!embeddings.available()) throw new RagdeskException(embeddings.missingReason());
        if (config.retrieval().mode().equals(Retriever.BM25)) {
            throw new RagdeskException("[retrieval].mode is \"bm25\", which uses no vectors; set it to auto or hybrid first");
        }
        return openForWriting(workspace, config, embeddings, env);
    }

    /** BM25 only, on this workspace's index. */
    public static Retriever retriever(Workspace workspace) {
        return new Retriever(workspace.index());
    }

    /** Where searches run: [retrieval].backend's index. A Solr cluster is reached at the first search. */
    public static SearchBackend retriever(Workspace workspace, Config config, Embeddings embeddings, Map<String, String> env)
            throws RagdeskException {
        if (!config.retrieval().backend().equals(Config.Retrieval.SOLR)) {
            return new Retriever(workspace.index(), config.retrieval(), embeddings);
        }
        return new SolrRetriever(SolrCollection.connect(config.solr(), env), config.retrieval(), embeddings);
    }

    /** Vectors a collection is made for when there is no embed model yet: the default model's (multilingual-e5-small). */
    static final int DEFAULT_DIMENSIONS = 384;

    /**
     * Creates the [solr] collection with ragdesk's schema, its vectors sized for the embed model;
     * keeps one that ragdesk's schema already made for that size. Returns what it did, in a line.
     */
    public static String createSolrCollection(Config config, Embeddings embeddings, Map<String, String> env) throws RagdeskException {
        int dims = embeddings.available() ? embeddings.get().dimensions() : DEFAULT_DIMENSIONS;
        try (var collection = SolrCollection.connect(config.solr(), env)) {
            if (collection.exists()) {
                int existing = collection.checkSchema();
                if (existing != dims) {
                    throw new RagdeskException(collection.where() + " exists, with vectors of " + existing + " dimensions, and the embed "
                            + "model makes " + dims + "; choose a new [solr].collection for this model, or use the model it was made for");
                }
                return collection.where() + " exists with ragdesk's schema (" + SolrConfigset.SCHEMA_NAME + ", vectors of " + dims
                        + " dimensions); kept as it is";
            }
            collection.create(dims);
            return "created " + collection.where() + ": " + config.solr().shards() + " shard(s) x " + config.solr().replicas()
                    + " replica(s), schema " + SolrConfigset.SCHEMA_NAME + ", vectors of " + dims + " dimensions"
                    + (embeddings.available() ? " (" + embeddings.displayName() + ")" : " (the default embed model's; no embed model yet)");
        }
    }

    /**
     * This machine's name in a shared collection: documents record which host and path they came
     * from. The kernel's name for it (what {@code hostname} prints), else $HOSTNAME.
     */
    public static String hostName(Map<String, String> env) {
        try {
            var name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!name.isEmpty()) return name;
        } catch (IOException e) {
            // not Linux: the environment's name
        }
        return env.getOrDefault("HOSTNAME", "localhost");
    }

    /** The index is a folder; a file in its place is named rather than read as "no index". */
    static void requireFolder(Path dir) throws RagdeskException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new RagdeskException(dir + " is a file, but the index is a folder there; move the file aside, then index again");
        }
    }

    /**
     * The one message for an index that cannot be read. A damaged one (garbage or missing
     * segment files) is not an empty one: it says so and how to rebuild it.
     */
    public static RagdeskException unreadable(Path dir, IOException e) {
        boolean damaged = e instanceof CorruptIndexException
                || e instanceof IndexFormatTooOldException
                || e instanceof IndexFormatTooNewException
                || e instanceof EOFException || e instanceof NoSuchFileException;
        if (!damaged) return new RagdeskException("cannot read the index in " + dir + ": " + e.getMessage(), e);
        return new RagdeskException("the index in " + dir + " is damaged (its files cannot be read); rebuild it: move "
                + dir + " aside, then run `ragdesk index PATH` again", e);
    }
}
