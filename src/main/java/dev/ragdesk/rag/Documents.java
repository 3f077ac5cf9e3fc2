package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;

import java.io.IOException;
import java.nio.file.Path;

/** The workspace's document index, built the way config.toml says. */
public final class Documents {
    private Documents() {}

    public static DocumentIndex openForWriting(Workspace workspace, Config config) throws RagdeskException {
        var r = config.retrieval();
        return DocumentIndex.open(workspace.index(), new Extractors((long) r.maxFileMb() * 1_000_000),
                new Chunker(r.chunkChars(), r.chunkOverlap()));
    }

    public static Retriever retriever(Workspace workspace) {
        return new Retriever(workspace.index());
    }

    /** The index is a folder; a file in its place is named rather than read as "no index". */
    static void requireFolder(Path dir) throws RagdeskException {
        if (java.nio.file.Files.exists(dir) && !java.nio.file.Files.isDirectory(dir)) {
            throw new RagdeskException(dir + " is a file, but the index is a folder there; move the file aside, then index again");
        }
    }

    /**
     * The one message for an index that cannot be read. A damaged one (garbage or missing
     * segment files) is not an empty one: it says so and how to rebuild it.
     */
    public static RagdeskException unreadable(Path dir, IOException e) {
        boolean damaged = e instanceof org.apache.lucene.index.CorruptIndexException
                || e instanceof org.apache.lucene.index.IndexFormatTooOldException
                || e instanceof org.apache.lucene.index.IndexFormatTooNewException
                || e instanceof java.io.EOFException || e instanceof java.nio.file.NoSuchFileException;
        if (!damaged) return new RagdeskException("cannot read the index in " + dir + ": " + e.getMessage(), e);
        return new RagdeskException("the index in " + dir + " is damaged (its files cannot be read); rebuild it: move "
                + dir + " aside, then run `ragdesk index PATH` again", e);
    }
}
