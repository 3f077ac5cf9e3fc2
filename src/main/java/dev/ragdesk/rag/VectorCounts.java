package dev.ragdesk.rag;

/**
 * Vectors in an index: how many chunks there are, how many have vectors from the current embed
 * model, and which model (and how many dimensions) made the last ones; empty and 0 when none did.
 */
public record VectorCounts(int chunks, int current, String lastModel, int lastDims) {}
