package dev.ragdesk.rag;

/**
 * The index at its last commit. {@code vectorChunks} counts chunks with vectors from the current
 * embed model; {@code vectorModel} and {@code vectorDims} name the model that last made vectors
 * (empty and 0 when none ever did). {@code retrieval} says which mode a search runs now, and why.
 */
public record IndexStatus(boolean exists, int files, int skippedFiles, int chunks, long bytesOnDisk, String updatedAt,
                          int vectorChunks, String vectorModel, int vectorDims, String retrieval) {
    public static final IndexStatus NONE = new IndexStatus(false, 0, 0, 0, 0, "", 0, "", 0, "");
}
