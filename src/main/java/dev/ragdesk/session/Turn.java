package dev.ragdesk.session;

import java.util.List;

/**
 * One message of a conversation as saved: who said it, in which mode, and for answers the
 * sources its [n] refer to.
 */
public record Turn(String role, String text, String mode, List<Citation> citations, String at) {
    public record Citation(int n, String path, String location) {}

    public Turn {
        citations = citations == null ? List.of() : List.copyOf(citations);
    }
}
