package dev.ragdesk.rag;

/**
 * A piece of a document small enough to retrieve and cite.
 *
 * @param heading   the nearest heading above it, or empty
 * @param page      1-based PDF page, or 0
 * @param startLine first line of the chunk in its page or file (1-based)
 * @param endLine   last line
 * @param ordinal   position among the document's chunks
 */
public record Chunk(String text, String heading, int page, int startLine, int endLine, int ordinal) {
    /** "p. 3" for a page, else "lines 10-24". */
    public String location() {
        if (page > 0) return "p. " + page;
        return startLine == endLine ? "line " + startLine : "lines " + startLine + "-" + endLine;
    }
}
