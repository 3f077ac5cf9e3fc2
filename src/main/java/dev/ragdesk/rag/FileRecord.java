package dev.ragdesk.rag;

/**
 * A file's record in the index: its content hash, how it was read, and for a skipped file the
 * settings it was skipped under. {@code embedModel} is the id of the model its chunks'
 * vectors came from, empty when they have none.
 */
public record FileRecord(String path, String hash, long size, String type, int chunks, String skipReason,
                  String skippedUnder, String embedModel) {
    public boolean unchanged(String currentHash, String currentSkipSettings) {
        return hash.equals(currentHash) && (skipReason.isEmpty() || currentSkipSettings.equals(skippedUnder));
    }

    /** Chunks without vectors from {@code model}, which is empty when there is no embed model. */
    public boolean needsVectors(String model) {
        return !model.isEmpty() && chunks > 0 && !model.equals(embedModel);
    }

    /** This record before its chunks are all written: no hash, so no run takes the file for unchanged. */
    public FileRecord pending() {
        return new FileRecord(path, "", size, type, chunks, skipReason, skippedUnder, embedModel);
    }

    public FileRecord embeddedWith(String model) {
        return new FileRecord(path, hash, size, type, chunks, skipReason, skippedUnder, model);
    }
}
