package dev.ragdesk.session;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.engine.ChatMessage;
import dev.ragdesk.engine.HostHarness;
import dev.ragdesk.rag.Passage;
import dev.ragdesk.session.ChatPrompt;
import dev.ragdesk.session.RagPrompt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Prompt building measured with a real model's tokenizer and template. */
class PromptTest {

    @TempDir static Path dir;
    static HostHarness h;

    @BeforeAll
    static void load() throws Exception {
        h = new HostHarness(dir, false);
        h.host.activate(HostHarness.request("chat", h.tinyModel("a.gguf", 1), 512));
    }

    @AfterAll
    static void close() {
        h.close();
    }

    @Test
    void shortHistoryIsKeptWhole() throws Exception {
        var history = List.of(ChatMessage.user("hi"), ChatMessage.assistant("hello"));
        var built = ChatPrompt.build(h.host, "sys", history, "how are you", 512, 64);
        assertEquals(0, built.dropped());
        assertEquals(3, built.kept().size());
        assertTrue(built.text().contains("hello") && built.text().contains("how are you"));
        assertEquals(h.host.countTokens(built.text()), built.tokens());
    }

    @Test
    void longHistoryIsTrimmedOldestFirstToFit() throws Exception {
        var history = new ArrayList<ChatMessage>();
        for (int i = 0; i < 12; i++) {
            history.add(ChatMessage.user("question number " + i + " about the little dog and the big tree"));
            history.add(ChatMessage.assistant("answer number " + i + " the cat was happy and the sun was big"));
        }
        var built = ChatPrompt.build(h.host, "sys", history, "last question", 512, 128);
        assertTrue(built.dropped() > 0, "something had to go");
        assertTrue(built.tokens() <= 512 - 128, built.tokens() + " tokens");
        assertEquals("last question", built.kept().get(built.kept().size() - 1).content());
        assertEquals("user", built.kept().get(0).role(), "history never starts with a reply");
        assertFalse(built.text().contains("question number 0 "), "the oldest turn went first");
        assertTrue(built.text().contains("answer number 11"), "the newest turns stayed");
    }

    @Test
    void questionTooLongForTheContextIsExplained() {
        var huge = "the little dog ".repeat(400);
        var e = assertThrows(RagdeskException.class,
                () -> ChatPrompt.build(h.host, "sys", List.of(), huge, 512, 128));
        assertTrue(e.getMessage().contains("raise [llama].ctx_size"), e.getMessage());
    }

    @Test
    void ragPromptNumbersPassagesWithinTheBudget() throws Exception {
        var passages = new ArrayList<Passage>();
        for (int i = 0; i < 6; i++) {
            passages.add(new Passage("passage text " + i + " the dog and the cat ".repeat(5), "docs/p" + i + ".md", "lines 1-5", 1.0 - i / 10.0, ""));
        }
        var built = RagPrompt.build(h.host, "Where is the dog?", passages, 150);
        assertFalse(built.cited().isEmpty());
        assertTrue(built.cited().size() < passages.size(), "the budget keeps only the best passages");
        assertEquals(passages.subList(0, built.cited().size()), built.cited(), "best first, in order");
        for (int n = 1; n <= built.cited().size(); n++) {
            assertTrue(built.text().contains("[" + n + "] docs/p" + (n - 1) + ".md, lines 1-5\n"), built.text());
        }
        assertTrue(built.text().endsWith("Question: Where is the dog?\nAnswer:"), built.text());
    }

    @Test
    void oversizedBestPassageIsCutNotDropped() throws Exception {
        var big = new Passage("the little dog ran ".repeat(300), "big.txt", "", 1.0, "");
        var built = RagPrompt.build(h.host, "q", List.of(big), 100);
        assertEquals(1, built.cited().size());
        assertTrue(built.text().length() < big.text().length());
    }

    @Test
    void theAnswerCueNamesTheQuestionsLanguageWhenItsScriptTellsIt() {
        assertEquals("Tamil", RagPrompt.answerLanguage("கலங்கரை விளக்கம் எப்போது ஏற்றப்படுகிறது?"));
        assertEquals("Bengali", RagPrompt.answerLanguage("বাতিঘরের আলো কখন জ্বলে?"));
        assertEquals("the question's language, in Devanagari script", RagPrompt.answerLanguage("दीया कब जलता है? (lamp)"));
        assertEquals("", RagPrompt.answerLanguage("When is the lamp lit? दीया"), "mostly Latin: no cue");
        assertEquals("", RagPrompt.answerLanguage("42?"));
        assertTrue(RagPrompt.INSTRUCTION.contains("write the answer in the language of the question"));
    }
}
