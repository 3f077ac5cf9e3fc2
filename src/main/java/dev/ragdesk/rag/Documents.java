package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;

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
}
