package dev.ragdesk.e2e;

import dev.ragdesk.testing.TinyGguf;
import dev.ragdesk.ui.tui.TerminalWidth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * bin/ragdesk in tmux at 80x24, keyboard only: index a folder, ask a RAG question and see the
 * cited answer stream, Tab to chat and see the swap, chat, cancel, quit, terminal restored.
 */
class TmuxEndToEndIT {

    @TempDir Path home;

    @Test
    void aPersonCanDoTheWholeLoopWithTheKeyboard() throws Exception {
        assumeTrue(Tmux.available(), "skipped: tmux is not installed");
        var repo = Path.of(System.getProperty("ragdesk.repo", "."));
        var rag = TinyGguf.llama().seed(1).writeTo(home.resolve("rag-tiny.gguf"));
        var chat = TinyGguf.llama().seed(2).chatTemplate("{% for m in messages %}{{ m['content'] }}\n{% endfor %}").writeTo(home.resolve("chat-tiny.gguf"));
        Files.writeString(home.resolve("config.toml"), """
                [models.rag]
                path = "%s"
                [models.chat]
                path = "%s"
                [llama]
                ctx_size = 2048
                [chat]
                max_tokens = 1500
                temperature = 0.0
                [rag]
                max_tokens = 24
                """.formatted(rag, chat));
        var docs = Files.createDirectories(home.resolve("docs"));
        Files.writeString(docs.resolve("lighthouse.md"), "# Lighthouse\n\nThe lamp of the lighthouse is lit at dusk.\n");
        var exit = home.resolve("exit-code");
        var command = "cd " + home + " && TERM=xterm-256color " + repo.resolve("bin/ragdesk") + " --home " + home + "; echo $? > " + exit;

        try (var tmux = new Tmux("ragdesk-e2e-" + ProcessHandle.current().pid(), 80, 24, command)) {
            tmux.await("the console", Duration.ofSeconds(90), s -> s.contains("chat ›") && s.contains("F1 help"));

            tmux.type("/index " + docs);
            tmux.keys("Enter");
            tmux.await("Indexed 1 files", Duration.ofSeconds(60));

            tmux.keys("Tab"); // empty input: to RAG mode, swapping to the rag model
            tmux.await("RAG mode and the rag model", Duration.ofSeconds(60), s -> s.contains(" RAG │ rag-tiny ready"));
            tmux.type("When is the lamp lit?");
            tmux.keys("Enter");
            var answered = tmux.await("a cited answer", Duration.ofSeconds(60), s -> s.contains("ai  ›") && s.contains("[1] " + docs.resolve("lighthouse.md")));
            assertTrue(answered.contains("you › When is the lamp lit?"));
            Files.writeString(home.resolve("screen-rag.txt"), answered);

            tmux.keys("Tab"); // back to chat: the indicator shows the swap
            tmux.await("the chat model", Duration.ofSeconds(60), s -> s.contains(" Chat │ chat-tiny ready"));

            tmux.type("Tell me a long story");
            tmux.keys("Enter");
            tmux.await("tokens streaming", Duration.ofSeconds(60), s -> s.contains("generating"));
            tmux.keys("C-c");
            tmux.await("answer cancelled", Duration.ofSeconds(30));

            var hindi = "नमस्ते किताबें";
            tmux.type(hindi);
            tmux.await("Hindi in the input line", Duration.ofSeconds(10), s -> s.contains("chat › " + hindi));
            // the screen writes the cells, then moves the cursor: let that refresh land before reading it
            var expected = String.valueOf(TerminalWidth.of("chat › " + hindi));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!expected.equals(tmux.display("#{cursor_x}")) && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
            }
            assertEquals(expected, tmux.display("#{cursor_x}"), "the cursor sits where tmux drew the end of the Indic text");
            tmux.keys("C-u");

            tmux.keys("C-c");
            tmux.await("Quit ragdesk?", Duration.ofSeconds(10));
            tmux.keys("C-c");
            tmux.await("the app to exit", Duration.ofSeconds(30), s -> Files.exists(exit));
            assertEquals("0", Files.readString(exit).strip());
            assertEquals("0", tmux.display("#{alternate_on}"), "the terminal left the alternate screen");
        }
    }
}
