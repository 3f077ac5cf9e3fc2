package dev.ragdesk.rag;

import dev.ragdesk.config.Config;

/**
 * The index at its last commit. {@code vectorChunks} counts chunks with vectors from the current
 * embed model; {@code vectorModel} and {@code vectorDims} name the model that last made vectors
 * (empty and 0 when none ever did). {@code retrieval} says which mode a search runs now, and why.
 * {@code backend} is "lucene" or "solr", {@code name} the folder or the collection, {@code where}
 * the whole address ({@link SearchBackend#where()}). {@code bytesOnDisk} is this machine's
 * folder; 0 for a collection on other machines.
 */
public record IndexStatus(boolean exists, int files, int skippedFiles, int chunks, long bytesOnDisk, String updatedAt,
                          int vectorChunks, String vectorModel, int vectorDims, String retrieval, String backend, String name,
                          String where) {
    /** Nothing indexed yet in {@code backend}'s {@code name}. */
    public static IndexStatus none(String backend, String name, String where) {
        return new IndexStatus(false, 0, 0, 0, 0, "", 0, "", 0, "", backend, name, where);
    }

    /** "index" for this workspace's folder, "solr docs" for a collection: how the console's status bar names it. */
    public String label() {
        return backend.equals(Config.Retrieval.SOLR) ? "solr " + name : "index";
    }
}
