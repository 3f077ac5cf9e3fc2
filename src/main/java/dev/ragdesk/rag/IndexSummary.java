package dev.ragdesk.rag;

import java.util.List;

/** What an indexing run did. {@code skipped} lists files (newly) not indexed, with the reason. */
public record IndexSummary(int filesSeen, int indexed, int unchanged, int removed, List<Skip> skipped, int chunks,
                           double seconds, boolean cancelled) {
    public record Skip(String path, String reason) {}
}
