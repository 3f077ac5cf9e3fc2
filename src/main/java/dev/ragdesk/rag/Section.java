package dev.ragdesk.rag;

/**
 * A run of a document's text: a PDF page, or a whole text file.
 *
 * @param page      1-based page, or 0 where pages do not apply
 * @param firstLine 1-based line on which {@code text} starts in the source
 */
public record Section(String text, int page, int firstLine) {}
