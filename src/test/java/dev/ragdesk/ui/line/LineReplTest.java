package dev.ragdesk.ui.line;

import dev.ragdesk.config.ConfigLoader;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.engine.WorkerCensus;
import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.session.Session;
import dev.ragdesk.testing.FakeWhisper;
import dev.ragdesk.testing.Fixtures;
import dev.ragdesk.testing.Wavs;
import dev.ragdesk.voice.Transcriber;
import org.jline.reader.Candidate;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.impl.DefaultParser;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PipedReader;
import java.io.PipedWriter;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

class LineReplTest {

    @TempDir Path home;
    Session session;
    LineRepl repl;

    void open(String extraToml) throws Exception {
        open(extraToml, null);
    }

    void open(String extraToml, Transcriber transcriber) throws Exception {
        open(extraToml, transcriber, 8);
    }

    void open(String extraToml, Transcriber transcriber, int maxTokens) throws Exception {
        var chat = SyntheticGguf.llama().writeTo(home.resolve("chat.gguf"));
        Files.writeString(home.resolve("config.toml"), "[models.chat]\npath = \"" + chat + "\"\n[chat]\nmax_tokens = " + maxTokens + "\n"
                + "[llama]\nctx_size = 4096\n" + extraToml);
        var config = new ConfigLoader().load(home.resolve("config.toml")).config();
        var workspace = new Workspace(home).ensureDataDirs();
        session = new Session(workspace, config, Map.of("PATH", "", "RAGDESK_GPU", "none"), "4.2.0", e -> repl.onEvent(e),
                Session.Options.interactive("chat").withHost(ModelHost.Options.defaults().withPrestart(false)).withTranscriber(transcriber));
        repl = new LineRepl(session, config, home);
    }

    /** An external xterm-type terminal: JLine's line discipline turns byte 3 into SIGINT, as a tty does. */
    static Terminal xterm(PipedOutputStream keys, ByteArrayOutputStream screen) throws IOException {
        return TerminalBuilder.builder().system(false).streams(new PipedInputStream(keys, 1 << 16), screen)
                .type("xterm").encoding(StandardCharsets.UTF_8).size(new Size(120, 40)).build();
    }

    @AfterEach
    void close() {
        if (session != null) session.close();
    }

    @Test
    void pipedInputGetsOneAnswerPerLineAndStopsAtQuit() throws Exception {
        open("");
        var out = new StringWriter();
        var err = new StringWriter();
        var input = new BufferedReader(new StringReader("Once upon a time\n/mode rag\nWhere is the lamp?\n/quit\nnever asked\n"));
        assertEquals(0, repl.runPiped(input, new PrintWriter(out, true), new PrintWriter(err, true)));
        var lines = out.toString().lines().toList();
        assertEquals(1, lines.size(), "one answer line for the chat question: " + out);
        assertFalse(lines.get(0).isBlank());
        assertTrue(err.toString().contains("(rag mode)"), err.toString());
        assertTrue(err.toString().contains("no documents are indexed yet"), "the rag question is answered plainly: " + err);
        assertEquals(2, session.conversation().turns().stream().filter(t -> t.role().equals("user")).count(),
                "the line after /quit was not asked");
    }

    /** A model killed mid-answer: the crash event and the failed answer were two lines in two wordings. */
    @Test
    void aCrashMidAnswerIsToldOnce() throws Exception {
        open("", null, 3000);
        var out = new StringWriter();
        var err = new StringWriter();
        var lines = new PipedWriter();
        var input = new BufferedReader(new PipedReader(lines));
        var run = CompletableFuture.supplyAsync(() -> {
            try {
                return repl.runPiped(input, new PrintWriter(out, true), new PrintWriter(err, true));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        lines.write("Once upon a time\n");
        lines.flush();
        var deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (out.toString().length() < 20 && System.nanoTime() < deadline) { // tokens are streaming
            LockSupport.parkNanos(10_000_000);
        }
        var workers = WorkerCensus.now().pids(); // the OS's view of the model's process
        assertEquals(1, workers.size(), "one model worker; out: " + out + "\nerr: " + err);
        ProcessHandle.of(workers.get(0)).orElseThrow().destroyForcibly();
        lines.close();
        assertEquals(0, run.get(60, TimeUnit.SECONDS));
        var said = out + err.toString();
        assertEquals(1, said.split("ended unexpectedly", -1).length - 1, "told once:\n" + said);
        assertTrue(err.toString().contains("the chat model's process ended unexpectedly (killed by SIGKILL); ask again to reload it"), said);
    }

    @Test
    void slashCommandsAndPathsComplete() throws Exception {
        open("");
        Files.createDirectories(home.resolve("papers"));
        var terminal = TerminalBuilder.builder().system(false).streams(new PipedInputStream(new PipedOutputStream()), new ByteArrayOutputStream())
                .type("dumb").build();
        var reader = LineReaderBuilder.builder().terminal(terminal).build();
        var parser = new DefaultParser();
        var commands = new ArrayList<Candidate>();
        repl.complete(reader, parser.parse("/mo", 3), commands);
        assertTrue(commands.stream().anyMatch(c -> c.value().equals("/mode")));
        assertTrue(commands.stream().anyMatch(c -> c.value().equals("/models")));
        var modes = new ArrayList<Candidate>();
        repl.complete(reader, parser.parse("/mode ", 6), modes);
        assertEquals(List.of("rag", "chat"), modes.stream().map(Candidate::value).toList());
        var paths = new ArrayList<Candidate>();
        var old = System.getProperty("user.dir");
        repl.complete(reader, parser.parse("/index " + home + "/pa", 7 + home.toString().length() + 3), paths);
        assertTrue(paths.stream().anyMatch(c -> c.value().endsWith("papers/")), paths.toString());
        terminal.close();
    }

    @Test
    void interactiveRoundTripKeepsHistoryAndCtrlCTwiceExits() throws Exception {
        open("");
        var keys = new PipedOutputStream();
        var screen = new ByteArrayOutputStream();
        var terminal = xterm(keys, screen);
        var history = home.resolve(".data/history");
        var run = CompletableFuture.supplyAsync(() -> repl.runInteractive(terminal, history));
        keys.write("Once upon a time\r".getBytes(StandardCharsets.UTF_8));
        keys.flush();
        var deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // the answer comes from a model worker; the next prompt names the loaded model
        while (!screen.toString(StandardCharsets.UTF_8).contains("chat·chat ›") && System.nanoTime() < deadline) {
            LockSupport.parkNanos(20_000_000);
        }
        assertTrue(screen.toString(StandardCharsets.UTF_8).contains("chat·chat ›"), "answered, and back at the prompt:\n" + screen.toString(StandardCharsets.UTF_8));
        assertEquals("assistant", session.conversation().turns().get(1).role(), "the question was answered");
        // Ctrl-C as a tty delivers it, SIGINT to the terminal: on an empty line a hint, then exit
        terminal.raise(Terminal.Signal.INT);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!screen.toString(StandardCharsets.UTF_8).contains("Ctrl-C again") && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
        }
        terminal.raise(Terminal.Signal.INT);
        int code;
        try {
            code = run.get(30, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            fail("still running after two Ctrl-C:\n" + screen.toString(StandardCharsets.UTF_8));
            return;
        }
        assertEquals(0, code);
        var shown = screen.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("chat·chat ›"), "the prompt shows mode and model: " + shown);
        assertTrue(shown.contains("Ctrl-C again on an empty line exits"), shown);
        assertTrue(Files.readString(history).contains("Once upon a time"), "history persists in .data/history");
        terminal.close();
    }

    @Test
    void dictationWidgetInsertsWithoutSending() throws Exception {
        var whisper = Fixtures.require("for-tests-ggml-tiny.bin");
        var wav = Fixtures.require("jfk.wav");
        open("[models.whisper]\npath = \"" + whisper + "\"\n[voice]\nsource = \"file\"\nfile = \"" + wav + "\"\n");
        var keys = new PipedOutputStream();
        var screen = new ByteArrayOutputStream();
        var terminal = xterm(keys, screen);
        var run = CompletableFuture.supplyAsync(() -> repl.runInteractive(terminal, home.resolve(".data/history")));
        keys.write("note: ".getBytes(StandardCharsets.UTF_8));
        keys.write(new byte[] {27, 'v'}); // Alt-V: record (from the file)
        keys.write(new byte[] {27, 'v'}); // Alt-V again: stop and transcribe
        keys.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!screen.toString(StandardCharsets.UTF_8).contains("speech recognised") && System.nanoTime() < deadline) {
            LockSupport.parkNanos(20_000_000); // whisper runs in its own process
        }
        keys.close(); // end of input: leave without sending
        assertEquals(0, run.get(30, TimeUnit.SECONDS));
        var shown = screen.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("(recording from file"), shown);
        assertTrue(shown.contains("(no speech recognised)"), "the fixture model has no weights: the path ran, the text is empty\n" + shown);
        assertTrue(session.conversation().turns().isEmpty(), "nothing was sent");
        terminal.close();
    }

    @Test
    void aDictatedTranscriptLandsInTheLineAndIsSentOnlyOnEnter() throws Exception {
        var wav = Wavs.tone(home.resolve("tone.wav"), 2.0);
        open("[voice]\nsource = \"file\"\nfile = \"" + wav + "\"\n", FakeWhisper.saying(home, "नमस्ते दुनिया"));
        var keys = new PipedOutputStream();
        var screen = new ByteArrayOutputStream();
        var terminal = xterm(keys, screen);
        var run = CompletableFuture.supplyAsync(() -> repl.runInteractive(terminal, home.resolve(".data/history")));
        keys.write("note: ".getBytes(StandardCharsets.UTF_8));
        keys.write(new byte[] {27, 'v'}); // record
        keys.write(new byte[] {27, 'v'}); // stop: the transcript goes into the line, unsent
        keys.write("\r".getBytes(StandardCharsets.UTF_8)); // now the user sends it
        keys.flush();
        var sent = CompletableFuture.supplyAsync(() -> {
            while (session.conversation().turns().size() < 2) Thread.onSpinWait();
            return session.conversation().turns().get(0).text();
        });
        assertEquals("note: नमस्ते दुनिया", sent.get(60, TimeUnit.SECONDS), "the transcript was inserted at the cursor");
        keys.close();
        assertEquals(0, run.get(30, TimeUnit.SECONDS));
        terminal.close();
    }
}
