package dev.ragdesk.rag;

/** Where an indexing run is, for progress bars. */
public record IndexProgress(int filesDone, int filesTotal, String currentFile, int chunksAdded, int skipped, boolean finished) {}
