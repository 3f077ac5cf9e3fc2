package dev.ragdesk.rag;

/** The index at its last commit. */
public record IndexStatus(boolean exists, int files, int skippedFiles, int chunks, long bytesOnDisk, String updatedAt) {
    public static final IndexStatus NONE = new IndexStatus(false, 0, 0, 0, 0, "");
}
