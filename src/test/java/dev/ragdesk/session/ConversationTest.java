package dev.ragdesk.session;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ConversationTest {

    @TempDir Path dir;

    @Test
    void turnsAreAppendedAndReadBack() throws Exception {
        var c = Conversation.start(dir);
        c.append(new Turn("user", "नमस्ते, what is RAG?", "chat", List.of(), "t1"));
        c.append(new Turn("assistant", "Retrieval [1].", "rag", List.of(new Turn.Citation(1, "a.md", "lines 1-2")), "t2"));
        var again = Conversation.open(c.file());
        assertEquals(c.turns(), again.turns());
        assertEquals(2, again.chatHistory().size());
        assertEquals("Retrieval [1].", again.chatHistory().get(1).content());
        assertEquals(2, Files.readAllLines(c.file()).size(), "one line per turn");
    }

    @Test
    void aTornLastLineFromACrashLosesOnlyThatTurn() throws Exception {
        var c = Conversation.start(dir);
        c.append(new Turn("user", "kept", "chat", List.of(), "t1"));
        Files.writeString(c.file(), "{\"role\":\"assistant\",\"text\":\"half a tu", StandardOpenOption.APPEND);
        var reopened = Conversation.open(c.file());
        assertEquals(1, reopened.turns().size());
        assertEquals("kept", reopened.turns().get(0).text());
    }

    /** Item 8: after a crash mid-write, the next turn was appended onto the torn line and lost too. */
    @Test
    void theTurnAfterATornLineIsKept() throws Exception {
        var c = Conversation.start(dir);
        c.append(new Turn("user", "kept", "chat", List.of(), "t1"));
        Files.writeString(c.file(), "{\"role\":\"assistant\",\"text\":\"half a tu", StandardOpenOption.APPEND);
        var reopened = Conversation.open(c.file());
        reopened.append(new Turn("user", "after the crash", "chat", List.of(), "t2"));
        var again = Conversation.open(c.file());
        assertEquals(List.of("kept", "after the crash"), again.turns().stream().map(Turn::text).toList());
        assertEquals(2, Files.readAllLines(c.file()).size(), "the torn bytes were cut, every line is whole");
    }

    @Test
    void linesThatAreNotTurnsAreSkippedAndKept() throws Exception {
        var file = dir.resolve("20260101-000000-000.jsonl");
        var content = "{\"note\":1}\nnull\n[]\n{\"role\":\"user\",\"text\":\"real\",\"extra\":true}\n";
        Files.writeString(file, content);
        var c = Conversation.open(file);
        assertEquals(List.of("real"), c.turns().stream().map(Turn::text).toList());
        assertEquals(1, c.chatHistory().size());
        assertEquals(content, Files.readString(file), "complete lines are never rewritten");
    }

    @Test
    void theLatestConversationReopens() throws Exception {
        assertTrue(Conversation.latest(dir).isEmpty());
        var first = Conversation.start(dir);
        first.append(new Turn("user", "one", "chat", List.of(), "t"));
        Files.writeString(dir.resolve("29990101-000000-000.jsonl"), "{\"role\":\"user\",\"text\":\"newest\",\"mode\":\"chat\",\"citations\":[],\"at\":\"t\"}\n");
        var latest = Conversation.latest(dir).orElseThrow();
        assertEquals("newest", latest.turns().get(0).text());
        assertEquals(2, Conversation.list(dir).size());
    }
}
