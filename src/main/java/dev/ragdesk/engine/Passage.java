package dev.ragdesk.engine;

/**
 * A retrieved piece of a document, as cited in an answer.
 *
 * @param text     the whole passage, as the model reads it
 * @param source   the document, usually its path
 * @param location where in it: "p. 3", "lines 10-24", or empty
 * @param excerpt  the best-matching words, for showing beside a citation
 */
public record Passage(String text, String source, String location, double score, String excerpt) {
    public String citation() {
        return location == null || location.isEmpty() ? source : source + ", " + location;
    }
}
