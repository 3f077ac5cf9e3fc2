package dev.ragdesk.session;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** RAG answers from your documents with the rag model; CHAT is free conversation with the chat model. */
public enum Mode {
    RAG, CHAT;

    /** The model role this mode runs on. */
    public String role() { return name().toLowerCase(Locale.ROOT); }

    /** "rag", "chat": what /mode and /model take. */
    public static List<String> names() {
        return Arrays.stream(values()).map(Mode::role).toList();
    }

    public static Mode parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "rag" -> RAG;
            case "chat" -> CHAT;
            default -> throw new IllegalArgumentException("mode must be rag or chat, not \"" + text + "\"");
        };
    }
}
