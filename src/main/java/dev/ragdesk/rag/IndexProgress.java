package dev.ragdesk.rag;

/** Where an indexing run is, for progress bars. {@code chunksEmbedded} counts vectors made so far. */
public record IndexProgress(int filesDone, int filesTotal, String currentFile, int chunksAdded, int chunksEmbedded, int skipped,
                            boolean finished) {}
