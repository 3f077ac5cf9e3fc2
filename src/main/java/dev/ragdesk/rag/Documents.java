package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.embed.Embeddings;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The workspace's document index, built the way config.toml says. */
public final class Documents {
    private Documents() {}

    /** BM25 only: no vectors are made. */
    public static DocumentIndex openForWriting(Workspace workspace, Config config) throws RagdeskException {
        return openForWriting(workspace, config, Embeddings.none());
    }

    /**
     * Chunks get vectors when there is an embed model and [retrieval].mode is not "bm25" (a
     * user who chose words alone does not pay for vectors).
     */
    public static DocumentIndex openForWriting(Workspace workspace, Config config, Embeddings embeddings) throws RagdeskException {
        var r = config.retrieval();
        var vectors = embeddings.available() && !r.mode().equals(Retriever.BM25) ? embeddings : Embeddings.none();
        return DocumentIndex.open(workspace.index(), new Extractors((long) r.maxFileMb() * 1_000_000),
                new Chunker(r.chunkChars(), r.chunkOverlap()), DocumentIndex.CommitPolicy.DEFAULT, vectors);
    }

    /**
     * For giving the index's chunks vectors ({@code index --embed}, {@code /index --embed}): fails
     * with what to do when there is no embed model, or when [retrieval].mode asks for none.
     */
    public static DocumentIndex openForEmbedding(Workspace workspace, Config config, Embeddings embeddings) throws RagdeskException {
        if (!embeddings.available()) throw new RagdeskException(embeddings.missingReason());
        if (config.retrieval().mode().equals(Retriever.BM25)) {
            throw new RagdeskException("[retrieval].mode is \"bm25\", which uses no vectors; set it to auto or hybrid first");
        }
        return openForWriting(workspace, config, embeddings);
    }

    /** BM25 only. */
    public static Retriever retriever(Workspace workspace) {
        return new Retriever(workspace.index());
    }

    public static Retriever retriever(Workspace workspace, Config config, Embeddings embeddings) {
        return new Retriever(workspace.index(), config.retrieval(), embeddings);
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
