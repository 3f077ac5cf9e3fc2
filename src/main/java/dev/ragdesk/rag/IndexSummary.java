package dev.ragdesk.rag;

import java.util.List;
import java.util.Locale;

/** What an indexing run did. {@code skipped} lists files (newly) not indexed, with the reason. */
public record IndexSummary(int filesSeen, int indexed, int unchanged, int removed, List<Skip> skipped, int chunks,
                           int embedded, double seconds, boolean cancelled) {
    public record Skip(String path, String reason) {}

    /** "indexed 2 files (4 chunks), 0 unchanged, 0 removed, 0 skipped; 4 chunks embedded in 0.2 s": the one way every UI says it. */
    public String describe() {
        if (indexed == 0 && unchanged == 0 && chunks == 0 && removed == 0 && skipped.isEmpty() && filesSeen > 0) { // embedMissing's
            return String.format(Locale.ROOT, "%s %d chunks of %d file%s in %.1f s", cancelled ? "stopped after embedding" : "embedded",
                    embedded, filesSeen, filesSeen == 1 ? "" : "s", seconds);
        }
        return String.format(Locale.ROOT, "%s %d file%s (%d chunks), %d unchanged, %d removed, %d skipped%s in %.1f s",
                cancelled ? "stopped after indexing" : "indexed", indexed, indexed == 1 ? "" : "s", chunks, unchanged, removed,
                skipped.size(), embedded > 0 ? "; " + embedded + " chunks embedded" : "", seconds);
    }
}
