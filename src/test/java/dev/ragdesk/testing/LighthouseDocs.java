package dev.ragdesk.testing;

import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.rag.Documents;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A one-document corpus, indexed into the workspace the way `/index` does: for tests that need RAG to find something. */
public final class LighthouseDocs {
    public static final String TEXT = "# Lighthouse\n\nThe lamp of the lighthouse is lit at dusk by the keeper.\n";

    private LighthouseDocs() {}

    /** Writes {@code home/docs/lighthouse.md}, indexes it, and returns the folder. */
    public static Path indexedIn(Path home, Config config) throws Exception {
        var docs = Files.createDirectories(home.resolve("docs"));
        Files.writeString(docs.resolve("lighthouse.md"), TEXT);
        try (var index = Documents.openForWriting(new Workspace(home).ensureDataDirs(), config)) {
            index.index(List.of(docs), p -> {}, () -> false);
        }
        return docs;
    }
}
