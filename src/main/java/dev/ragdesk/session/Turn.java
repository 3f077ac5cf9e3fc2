package dev.ragdesk.session;

import dev.ragdesk.rag.Passage;

import java.util.ArrayList;
import java.util.List;

/**
 * One message of a conversation as saved: who said it, in which mode, and for answers the
 * sources its [n] refer to.
 */
public record Turn(String role, String text, String mode, List<Citation> citations, String at) {
    /** Source {@code n} of an answer. */
    public record Citation(int n, String path, String location) {
        /** "[2] docs/a.md, lines 3-5": the one way a source is written under an answer. */
        public String label() { return Passage.label(n, path, location); }
    }

    public Turn {
        citations = citations == null ? List.of() : List.copyOf(citations);
    }

    /** A saved line that is valid JSON but not a turn (no role or no text) is not one. */
    boolean isComplete() {
        return role != null && text != null;
    }

    /** The passages an answer cites, numbered [1].. in the order the prompt gave them. */
    public static List<Citation> citations(List<Passage> passages) {
        var list = new ArrayList<Citation>();
        for (int i = 0; i < passages.size(); i++) list.add(new Citation(i + 1, passages.get(i).source(), passages.get(i).location()));
        return list;
    }
}
