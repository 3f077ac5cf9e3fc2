package dev.ragdesk.e2e;

import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.testing.Required;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bin/ragdesk in tmux at 80x24, keyboard only: index a folder, ask a RAG question and see the
 * cited answer stream, Tab to chat and see the swap, chat, cancel, quit, terminal restored.
 */
class TmuxEndToEndIT {

    @TempDir Path home;

    /** Hindi, Tamil and Bengali with combining marks, spacing vowel signs and conjuncts. */
    static final List<String> INDIC = List.of(
            "नमस्ते किताबें पुस्तकालय में रखी हैं",
            "தமிழ் நூலகம் புத்தகங்கள் நிறைந்தது",
            "বাংলা বইগুলি গ্রন্থাগারে রাখা আছে");

    static String lastRow(String screen) {
        var rows = screen.lines().toList();
        return rows.isEmpty() ? "" : rows.get(rows.size() - 1).stripTrailing();
    }

    /** The text between "cannot index HOME/" and ": no such file" in the pane, its wrapped rows joined. */
    static String echoed(String screen, Path home) {
        var rows = screen.lines().toList();
        var sb = new StringBuilder();
        boolean in = false;
        for (var row : rows) {
            if (!in && row.contains("cannot index ")) in = true;
            if (in) {
                sb.append(' ').append(row.strip());
                if (row.contains(": no such file")) break;
            }
        }
        var joined = sb.toString();
        var start = joined.indexOf(home + "/") + home.toString().length() + 1;
        return joined.substring(start, joined.indexOf(": no such file")).strip();
    }

    /** How many columns tmux itself gives {@code text}: printed in a pane of its own, read from its cursor. */
    static String tmuxWidth(Tmux beside, String text) throws Exception {
        try (var probe = new Tmux("ragdesk-width-" + System.nanoTime(), 200, 5, "printf '%s' '" + text + "'; sleep 30")) {
            probe.await("the probe text", Duration.ofSeconds(10), screen -> screen.contains(text));
            return probe.display("#{cursor_x}");
        }
    }

    @Test
    void aPersonCanDoTheWholeLoopWithTheKeyboard() throws Exception {
        Required.that(Tmux.available(), "tmux is not installed");
        var repo = Path.of(System.getProperty("ragdesk.repo", "."));
        var rag = SyntheticGguf.llama().seed(1).writeTo(home.resolve("rag-tiny.gguf"));
        // a chat model slow enough that the long answer is still streaming when the test presses Ctrl-C
        // (the first, tiny one finished a 400-token answer between two looks at the screen on a busy machine)
        var chat = SyntheticGguf.llama().seed(2).layers(4).embedding(128)
                .chatTemplate("{% for m in messages %}{{ m['content'] }}\n{% endfor %}").writeTo(home.resolve("chat-tiny.gguf"));
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
                temperature = 0.0
                """.formatted(rag, chat));
        var docs = Files.createDirectories(home.resolve("docs"));
        Files.writeString(docs.resolve("lighthouse.md"), "# Lighthouse\n\nThe lamp of the lighthouse is lit at dusk.\n");
        var exit = home.resolve("exit-code");
        var command = "cd " + home + " && TERM=xterm-256color " + repo.resolve("bin/ragdesk") + " --home " + home + "; echo $? > " + exit;

        try (var tmux = new Tmux("ragdesk-e2e-" + ProcessHandle.current().pid(), 80, 24, command)) {
            tmux.await("the console", Duration.ofSeconds(90), s -> s.contains("chat ›") && s.contains("F1 help"));

            // Indic text as tmux draws it, the independent judge: the input line must read back exactly as typed
            for (var text : INDIC) {
                tmux.type(text);
                tmux.await("the input line", Duration.ofSeconds(10), screen -> lastRow(screen).equals("chat › " + text));
                var expected = tmuxWidth(tmux, "chat › " + text);
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                var cursor = tmux.display("#{cursor_x}");
                while (!expected.equals(cursor) && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(50_000_000); // the cursor moves after the cells land
                    cursor = tmux.display("#{cursor_x}");
                }
                // judged on the reading that ended the wait: a second reading could land in the middle of
                // a redraw (the memory meter's, twice a second), while the cursor visits other cells
                assertEquals(expected, cursor, "the cursor sits where tmux ended the text: " + text);
                tmux.keys("C-u");
            }

            // and wrapped in the chat pane (a message that echoes the text back, so no model is needed):
            // the words tmux shows, in order, are the words sent
            var paragraph = String.join(" ", INDIC) + " " + String.join(" ", INDIC);
            tmux.type("/index " + paragraph);
            tmux.keys("Enter");
            var shown = tmux.await("the wrapped message", Duration.ofSeconds(30), screen -> screen.contains(": no such file"));
            assertEquals(List.of(paragraph.split(" ")), List.of(echoed(shown, home).split(" +")), "no gap, overlap or lost cell:\n" + shown);

            tmux.type("/index " + docs);
            tmux.keys("Enter");
            tmux.await("Indexed 1 file (1 chunks)", Duration.ofSeconds(60));

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

            tmux.keys("C-c");
            tmux.await("Quit ragdesk?", Duration.ofSeconds(10));
            tmux.keys("C-c");
            tmux.await("the app to exit", Duration.ofSeconds(30), s -> Files.exists(exit));
            assertEquals("0", Files.readString(exit).strip());
            assertEquals("0", tmux.display("#{alternate_on}"), "the terminal left the alternate screen");
        }
    }

    @Test
    void sigtermGivesTheTerminalBack() throws Exception {
        Required.that(Tmux.available(), "tmux is not installed");
        var repo = Path.of(System.getProperty("ragdesk.repo", "."));
        var done = home.resolve("done");
        var command = "cd " + home + " && TERM=xterm-256color " + repo.resolve("bin/ragdesk") + " --home " + home
                + "; echo $? > " + done + ".code; stty -a > " + done + "; sleep 30";
        try (var tmux = new Tmux("ragdesk-term-" + ProcessHandle.current().pid(), 80, 24, command)) {
            tmux.await("the console", Duration.ofSeconds(90), s -> s.contains("chat ›") && s.contains("F1 help"));
            assertEquals("1", tmux.display("#{alternate_on}"));
            long shell = Long.parseLong(tmux.display("#{pane_pid}"));
            var app = ProcessHandle.of(shell).orElseThrow().children().filter(p -> p.info().command().orElse("").endsWith("java"))
                    .findFirst().orElseThrow(() -> new AssertionError("no java child of the pane's shell"));
            new ProcessBuilder("kill", "-TERM", String.valueOf(app.pid())).start().waitFor();
            tmux.await("the shell after the app", Duration.ofSeconds(30), s -> Files.exists(done));
            assertEquals("143", Files.readString(home.resolve("done.code")).strip(), "ended by SIGTERM");
            assertEquals("0", tmux.display("#{alternate_on}"), "the alternate screen was left");
            var modes = Files.readString(done);
            assertTrue(modes.matches("(?s).*(^|\\s)icanon(\\s|$).*") && modes.matches("(?s).*(^|\\s)echo(\\s|$).*"),
                    "line editing and echo are back: " + modes);
        }
    }

    @Test
    void theLauncherUsesItsCloneFromAnyDirectory() throws Exception {
        var repo = Path.of(System.getProperty("ragdesk.repo", ".")).toRealPath();
        var elsewhere = Files.createDirectories(home.resolve("papers"));
        var pb = new ProcessBuilder(repo.resolve("bin/ragdesk").toString(), "config", "--path").directory(elsewhere.toFile())
                .redirectErrorStream(true);
        pb.environment().remove("RAGDESK_HOME");
        var p = pb.start();
        var out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor(), out);
        assertEquals(repo.resolve("config.toml").toString(), out.lines().reduce((a, b) -> b).orElse(""), out);
        assertFalse(Files.exists(elsewhere.resolve(".data")), "nothing is made in the directory it was started from");
        assertFalse(Files.exists(elsewhere.resolve("index")));
    }
}
