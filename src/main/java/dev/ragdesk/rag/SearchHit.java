package dev.ragdesk.rag;

import java.util.Map;


/**
 * One ranked passage.
 *
 * @param location "p. 3" or "lines 10-24"
 * @param excerpt  the best-matching sentence or two, matches marked **like this**
 * @param text     the whole chunk, for the answer prompt
 * @param foundBy  each ranking that held it ("bm25", "vector") and its 1-based rank there
 */
public record SearchHit(int rank, float score, String path, String location, String heading, String excerpt,
                        String text, int page, int startLine, int endLine, Map<String, Integer> foundBy) {
    public Passage toPassage() {
        return new Passage(text, path, location, score, excerpt);
    }
}
