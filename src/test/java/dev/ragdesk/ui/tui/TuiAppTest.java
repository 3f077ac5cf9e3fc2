package dev.ragdesk.ui.tui;

import com.googlecode.lanterna.TerminalSize;
import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.virtual.DefaultVirtualTerminal;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.ConfigLoader;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.engine.GenerationResult;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.gpu.GpuDevice;
import dev.ragdesk.gpu.GpuSample;
import dev.ragdesk.models.DownloadProgress;
import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.session.Conversation;
import dev.ragdesk.session.Mode;
import dev.ragdesk.session.ModelInfo;
import dev.ragdesk.session.Session;
import dev.ragdesk.session.SessionEvent;
import dev.ragdesk.session.Turn;
import dev.ragdesk.testing.FakeWhisper;
import dev.ragdesk.testing.Fixtures;
import dev.ragdesk.testing.LighthouseDocs;
import dev.ragdesk.testing.Wavs;
import dev.ragdesk.voice.AudioSource;
import dev.ragdesk.voice.MicSource;
import dev.ragdesk.voice.Transcriber;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/** The console on Lanterna's virtual terminal, driven with real session events and keys. */
class TuiAppTest {

    @TempDir Path home;
    DefaultVirtualTerminal terminal;
    TerminalScreen screen;
    Session session;
    TuiApp app;
    final List<String> clipboard = new ArrayList<>();
    Transcriber transcriber;

    void open(int cols, int rows) throws Exception {
        open(cols, rows, Config.DEFAULTS);
    }

    /** Dictation's audio; null: [voice].source, as configured. */
    AudioSource audio;

    void open(int cols, int rows, Config config) throws Exception {
        terminal = new DefaultVirtualTerminal(new TerminalSize(cols, rows));
        screen = new TerminalScreen(terminal);
        screen.startScreen();
        var workspace = new Workspace(home).ensureDataDirs();
        session = new Session(workspace, config, Map.of("PATH", "", "RAGDESK_GPU", "none"), "4.2.0", e -> app.post(e),
                Session.Options.interactive("tui").withHost(ModelHost.Options.defaults().withPrestart(false)).withTranscriber(transcriber).withAudio(audio));
        app = new TuiApp(screen, session, config, home, clipboard::add);
        app.drain();
    }

    @AfterEach
    void close() throws Exception {
        if (session != null) session.close();
        if (screen != null) screen.stopScreen();
    }

    /**
     * A row as the screen last sent it to the terminal (its front buffer). The virtual
     * terminal's own emulation attaches a lone vowel sign to the cell before it, which tmux
     * does not; how tmux draws Indic text is checked end to end in TmuxEndToEndTest.
     */
    String row(int y) {
        var sb = new StringBuilder();
        for (int x = 0; x < terminal.getTerminalSize().getColumns(); x++) sb.append(screen.getFrontCharacter(x, y).getCharacterString());
        return sb.toString();
    }

    String screenText() {
        var sb = new StringBuilder();
        for (int y = 0; y < terminal.getTerminalSize().getRows(); y++) sb.append(row(y)).append('\n');
        return sb.toString();
    }

    void type(String text) throws Exception {
        for (var c : text.toCharArray()) app.postKey(new KeyStroke(c, false, false));
        app.drain();
    }

    void press(KeyType type) throws Exception {
        app.postKey(new KeyStroke(type));
        app.drain();
    }

    @Test
    void layoutAt80x24ShowsEveryPane() throws Exception {
        open(80, 24);
        assertTrue(row(0).startsWith(" Chat │ no model · jvm cpu │ "), "mode, model, and the engine that runs it: " + row(0));
        assertTrue(row(0).contains("F1 help"), "the help hint fits at 80 columns: " + row(0));
        assertTrue(screenText().contains("Welcome to ragdesk. These models are not here yet:"), screenText());
        assertTrue(screenText().contains("/download chat"), "first run offers the downloads");
        assertTrue(screenText().contains("about 2.0 GB"), "with sizes");
        assertTrue(row(23).startsWith("chat › "), row(23));
    }

    @Test
    void slashModelsSaysWhatTheModelsComputeOnAndWhy() throws Exception {
        open(200, 60);
        type("/models");
        press(KeyType.Enter);
        // this machine has no NVIDIA driver: the console says so in the engine's own words
        assertTrue(screenText().contains("Engine: jvm cpu ("), screenText());
        assertTrue(screenText().contains("no NVIDIA driver (no /proc/driver/nvidia/version): the models run on the CPU"), screenText());
    }

    @Test
    void layoutAt200x60AndAfterAResize() throws Exception {
        open(200, 60);
        assertTrue(row(59).startsWith("chat › "));
        assertTrue(row(0).contains("F1 help"));
        terminal.setTerminalSize(new TerminalSize(80, 24));
        app.drain();
        assertEquals(new TerminalSize(80, 24), screen.getTerminalSize());
        assertTrue(row(23).startsWith("chat › "), "the input line moved to the new bottom: " + row(23));
        assertTrue(row(0).startsWith(" Chat │ "));
    }

    @Test
    void statusBarFollowsTheModelAndTheMeter() throws Exception {
        open(100, 24);
        app.post(new SessionEvent.ModelLoading("chat", "llama-3b"));
        app.drain();
        assertTrue(row(0).contains("llama-3b loading 0s"), row(0));
        app.post(new SessionEvent.ModelReady(new ModelInfo("chat", "llama-3b", 0, 30)));
        var gpu = new GpuDevice(0, "RTX 3050", 4L << 30, 3L << 30, 1L << 30, 50, Map.of(4242L, 2L << 30));
        app.post(new SessionEvent.Memory(new GpuSample("nvml", List.of(gpu), 16L << 30, 8L << 30), 300L << 20, 2L << 30));
        app.drain();
        assertTrue(row(0).contains("llama-3b ready"), row(0));
        assertTrue(row(0).contains("VRAM ██████░░ 3.2G/4.3G model 2.1G"), row(0));
        app.post(new SessionEvent.ModelCrashed("chat", "killed by SIGKILL", "the chat model's process ended unexpectedly (killed by SIGKILL)"));
        app.drain();
        assertTrue(row(0).contains("llama-3b crashed"), row(0));
        assertTrue(screenText().contains("the chat model's process ended unexpectedly (killed by SIGKILL)"), screenText());
        app.post(new SessionEvent.ModelUnloaded("chat", true));
        app.drain();
        assertTrue(row(0).contains("llama-3b unloaded (idle)"), "idle unload on the status bar: " + row(0));
    }

    @Test
    void withoutAGpuTheMeterShowsRam() throws Exception {
        open(100, 24);
        app.post(new SessionEvent.Memory(new GpuSample("none", List.of(), 16_000_000_000L, 12_000_000_000L), 0, 0));
        app.drain();
        assertTrue(row(0).contains("RAM ██░░░░░░ 4.0G/16.0G"), row(0));
    }

    @Test
    void aRealRagAnswerStreamsInWithItsSources() throws Exception {
        var rag = SyntheticGguf.llama().writeTo(home.resolve("rag.gguf"));
        Files.writeString(home.resolve("config.toml"), "[models.rag]\npath = \"" + rag + "\"\n[rag]\nmax_tokens = 12\ntemperature = 0.0\n");
        var config = new ConfigLoader().load(home.resolve("config.toml")).config();
        var docs = LighthouseDocs.indexedIn(home, config);
        open(80, 24, config);
        assertEquals(Mode.RAG, session.mode(), "documents are indexed, so the console starts in RAG mode");
        type("when is the lamp lit?");
        press(KeyType.Enter);
        assertTrue(screenText().contains("you › when is the lamp lit?"));
        assertTrue(app.drainUntil(s -> s.answering == 0 && s.lastAssistant() != null && !s.lastAssistant().streaming, Duration.ofSeconds(60)),
                "the answer ends:\n" + screenText());
        var answer = app.state().lastAssistant();
        var saved = session.conversation().turns();
        assertEquals("assistant", saved.get(saved.size() - 1).role());
        assertEquals(saved.get(saved.size() - 1).text(), answer.text.toString(), "the pane shows what the model generated, once");
        assertFalse(answer.text.toString().isEmpty());
        assertEquals(List.of("[1] " + docs.resolve("lighthouse.md").toRealPath() + ", lines 1-3"), answer.citations);
        assertTrue(screenText().contains("  [1] "), "the source is drawn under the answer:\n" + screenText());
    }

    @Test
    void slashCommandsCompleteWithTab() throws Exception {
        open(80, 24);
        type("/mo");
        press(KeyType.Tab);
        assertTrue(row(23).startsWith("chat › /mode "), "the common prefix of /mode, /model, /models: " + row(23));
        assertTrue(row(22).contains("/model") && row(22).contains("/models"), "candidates are listed: " + row(22));
        type(" r");
        press(KeyType.Tab);
        assertTrue(row(23).startsWith("chat › /mode rag "), row(23));
        Files.createDirectories(home.resolve("papers"));
        press(KeyType.Enter);
        type("/index pa");
        press(KeyType.Tab);
        assertTrue(row(23).startsWith("rag › /index papers/"), "path completion: " + row(23));
    }

    @Test
    void tabOnEmptyInputSwitchesMode() throws Exception {
        open(80, 24);
        press(KeyType.Tab);
        assertTrue(row(0).startsWith(" RAG │ "), row(0));
        assertTrue(row(23).startsWith("rag › "));
        assertEquals(Mode.RAG, session.mode());
    }

    @Test
    void helpOverlayOpensAndCloses() throws Exception {
        open(80, 24);
        press(KeyType.F1);
        assertTrue(screenText().contains("ragdesk — keys"));
        assertTrue(screenText().contains("/download ROLE"));
        type("?");
        assertFalse(screenText().contains("ragdesk — keys"));
    }

    @Test
    void ctrlCWhenIdleAsksBeforeQuitting() throws Exception {
        open(80, 24);
        app.postKey(new KeyStroke('c', true, false));
        app.drain();
        assertTrue(screenText().contains("Quit ragdesk? Press Ctrl-C again"));
        type("x");
        assertFalse(app.state().quit, "any other key stays");
        app.postKey(new KeyStroke('c', true, false));
        app.postKey(new KeyStroke('c', true, false));
        app.drain();
        assertTrue(app.state().quit);
    }

    /** Widths are judged by tmux in TmuxEndToEndIT; here, that wrapping keeps every word whole and in order. */
    @Test
    void indicTextWrapsAtWordsInOrder() throws Exception {
        open(40, 20);
        var hindi = "शहर के पुस्तकालय में बहुत सारी पुरानी किताबें रखी हुई हैं और दिल्ली में कई ऐतिहासिक इमारतें हैं।";
        app.post(new SessionEvent.AnswerToken(1, hindi));
        app.drain();
        var rows = new ArrayList<String>();
        for (int y = 1; y < 17; y++) if (row(y).startsWith("ai  › ") || (!rows.isEmpty() && !row(y).isBlank())) rows.add(row(y).substring(6).strip());
        assertTrue(rows.size() > 1, "it wrapped: " + rows);
        assertEquals(List.of(hindi.split(" ")), List.of(String.join(" ", rows).replace("▍", "").strip().split(" +")));
    }

    @Test
    void controlCharactersInModelOutputAreNotDrawn() throws Exception {
        open(80, 24);
        app.post(new SessionEvent.AnswerToken(1, "bell\u0007 and\u0005 tab\tend"));
        app.drain();
        assertTrue(screenText().contains("ai  › bell and tab end"), screenText());
    }

    @Test
    void altVDictatesFromAFileIntoTheInputLine() throws Exception {
        var whisper = Fixtures.require("for-tests-ggml-tiny.bin");
        var wav = Fixtures.require("jfk.wav");
        Files.writeString(home.resolve("config.toml"), "[models.whisper]\npath = \"" + whisper + "\"\n[voice]\nsource = \"file\"\nfile = \"" + wav + "\"\n");
        var config = new ConfigLoader().load(home.resolve("config.toml")).config();
        open(80, 24, config);
        type("so: ");
        app.postKey(new KeyStroke('v', false, true)); // Alt-V
        app.drain();
        assertTrue(row(22).startsWith("● recording 11s"), row(22));
        app.postKey(new KeyStroke('v', false, true));
        app.drain();
        assertTrue(row(22).startsWith("transcribing"), row(22));
        // the transcript arrives as a session event from the whisper worker; wait for it on the UI queue
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!row(22).contains("no speech recognised") && !row(22).contains("inserted") && System.nanoTime() < deadline) {
            LockSupport.parkNanos(20_000_000);
            app.drain();
        }
        assertTrue(row(22).startsWith("no speech recognised"), "the fixture model has no weights, so the transcript is empty: " + row(22));
        assertTrue(row(23).startsWith("chat › so: "), "nothing was sent: " + row(23));
        assertFalse(screenText().contains("you › so:"));
    }

    @Test
    void aDictatedTranscriptIsInsertedAtTheCursorUnsent() throws Exception {
        var wav = Wavs.tone(home.resolve("tone.wav"), 2.0);
        Files.writeString(home.resolve("config.toml"), "[voice]\nsource = \"file\"\nfile = \"" + wav + "\"\n");
        var config = new ConfigLoader().load(home.resolve("config.toml")).config();
        transcriber = FakeWhisper.saying(home, "नमस्ते दुनिया");
        open(80, 24, config);
        type("so: ");
        press(KeyType.ArrowLeft); // the cursor before the space: the transcript goes where the cursor is
        app.postKey(new KeyStroke('v', false, true));
        app.postKey(new KeyStroke('v', false, true));
        assertTrue(app.drainUntil(s -> s.notice.startsWith("dictated text inserted"), Duration.ofSeconds(60)), row(22));
        assertEquals("so:नमस्ते दुनिया ", app.state().input.text());
        assertTrue(row(23).startsWith("chat › so:नमस्ते दुनिया "), row(23));
        assertFalse(screenText().contains("you › "), "nothing was sent");
    }

    @Test
    void dictationWithoutAMicrophoneExplainsTheCommandSource() throws Exception {
        // a machine without a microphone, whatever this test machine has: the sound system's own refusal
        audio = new MicSource(format -> {
            throw new IllegalArgumentException("No line matching interface TargetDataLine is supported.");
        });
        open(120, 24);
        app.postKey(new KeyStroke('v', false, true));
        app.drain();
        var notice = row(22);
        assertTrue(notice.startsWith("no microphone on this machine"), notice);
        assertTrue(screenText().contains("source = \"command\""), "it says how to record with a command instead: " + screenText());
    }

    @Test
    void openingASavedConversationShowsItsSources() throws Exception {
        var saved = Conversation.start(home.resolve(".data/sessions"));
        saved.append(new Turn("user", "when is it lit?", "rag", List.of(), "t1"));
        saved.append(new Turn("assistant", "At dusk [1].", "rag",
                List.of(new Turn.Citation(1, "docs/lamp.md", "lines 3-5")), "t2"));
        open(80, 24);
        type("/new");
        press(KeyType.Enter);
        assertFalse(screenText().contains("At dusk"), "a new conversation starts empty");
        type("/open 1");
        press(KeyType.Enter);
        assertTrue(screenText().contains("ai  › At dusk [1]."), screenText());
        assertTrue(screenText().contains("[1] docs/lamp.md, lines 3-5"), "sources come back with the answer");
    }

    /** A command that fails (a saved conversation that is a folder) ends with a notice; the console goes on. */
    @Test
    void aFailingCommandIsANoticeNotTheEndOfTheConsole() throws Exception {
        Files.createDirectories(home.resolve(".data/sessions/20260101-000000-000.jsonl"));
        open(80, 24);
        type("/open 1");
        press(KeyType.Enter);
        assertTrue(row(22).startsWith("cannot do that: "), row(22));
        assertFalse(app.state().quit);
        type("/help");
        press(KeyType.Enter);
        assertTrue(screenText().contains("ragdesk — keys"), "still answering keys");
    }

    @Test
    void copyUsesOsc52() throws Exception {
        open(80, 24);
        app.post(new SessionEvent.AnswerFinished(1, new GenerationResult("hello there", 2, "stop", 1, 2), List.of()));
        app.drain();
        type("/copy");
        press(KeyType.Enter);
        assertEquals(List.of("\033]52;c;aGVsbG8gdGhlcmU=\007"), clipboard);
    }

    @Test
    void downloadsPaneShowsProgressRows() throws Exception {
        open(80, 24);
        app.post(new SessionEvent.Download(new DownloadProgress("acme/m:chat.gguf", 500_000_000, 1_000_000_000,
                25_000_000, 20, DownloadProgress.State.DOWNLOADING)));
        app.drain();
        assertTrue(screenText().contains("acme/m:chat.gguf ████████░░░░░░░░  50% 25 MB/s ETA 0m20s"), screenText());
    }
}
