package dev.ragdesk.rag;

/**
 * A retrieved piece of a document, as cited in an answer.
 *
 * @param text     the whole passage, as the model reads it
 * @param source   the document, usually its path
 * @param location where in it: "p. 3", "lines 10-24", or empty
 * @param excerpt  the best-matching words, for showing beside a citation
 */
public record Passage(String text, String source, String location, double score, String excerpt) {
    /** "docs/a.md, lines 3-5". */
    public String citation() {
        return location == null || location.isEmpty() ? source : source + ", " + location;
    }

    /** "[n] docs/a.md, lines 3-5": how the prompt numbers a passage and how an answer lists it. */
    public String label(int n) {
        return "[" + n + "] " + citation();
    }

    public static String label(int n, String source, String location) {
        return new Passage("", source, location, 0, "").label(n);
    }
}
