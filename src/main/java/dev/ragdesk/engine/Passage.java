package dev.ragdesk.engine;

/**
 * A retrieved piece of a document, as cited in an answer.
 *
 * @param source   the document, usually its path
 * @param location where in it: "p. 3", "lines 10-24", or empty
 */
public record Passage(String text, String source, String location, double score) {
    public String citation() {
        return location == null || location.isEmpty() ? source : source + ", " + location;
    }
}
