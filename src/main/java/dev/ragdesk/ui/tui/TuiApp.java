package dev.ragdesk.ui.tui;

import com.googlecode.lanterna.input.KeyStroke;
import com.googlecode.lanterna.input.KeyType;
import com.googlecode.lanterna.screen.Screen;
import dev.ragdesk.Failures;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.models.DownloadProgress;
import dev.ragdesk.process.Threads;
import dev.ragdesk.session.Conversation;
import dev.ragdesk.session.Mode;
import dev.ragdesk.session.Session;
import dev.ragdesk.session.SessionEvent;
import dev.ragdesk.session.SlashCommands;
import dev.ragdesk.session.Turn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The full-screen console. One queue merges keys and session events; only the loop thread
 * changes {@link TuiState}, and every engine call goes through {@link Session}, which answers
 * with events. Keys never wait on an engine.
 */
public final class TuiApp {
    private static final Logger log = LoggerFactory.getLogger(TuiApp.class);

    /** Something for the loop to handle. */
    sealed interface Event {
        record Key(KeyStroke key) implements Event {}
        record FromSession(SessionEvent event) implements Event {}
        record Tick() implements Event {}
    }

    private final Screen screen;
    private final Session session;
    private final Config config;
    private final TuiState state;
    private final Renderer renderer;
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final Map<String, KeyBinding> keys = new HashMap<>();
    private final Consumer<String> clipboard;
    private final Path cwd;

    /**
     * @param clipboard where /copy sends an OSC 52 sequence: the terminal's output, which the
     *                  screen does not own
     */
    public TuiApp(Screen screen, Session session, Config config, Path cwd, Consumer<String> clipboard) {
        this.screen = screen;
        this.session = session;
        this.config = config;
        this.state = new TuiState(cwd);
        this.renderer = new Renderer(config.ui().theme().equals("mono"), config.ui().keys());
        this.clipboard = clipboard;
        this.cwd = cwd;
        config.ui().keys().forEach((action, spec) -> {
            try {
                keys.put(action, KeyBinding.parse(spec));
            } catch (IllegalArgumentException e) {
                keys.put(action, KeyBinding.parse(Config.Ui.DEFAULT_KEYS.get(action)));
                state.notice = "[ui.keys] " + action + ": " + e.getMessage();
            }
        });
        state.mode = session.mode();
        state.engine = session.engine();
        show(session.conversation());
        welcome();
    }

    /** The sink for session events; safe from any thread. */
    public void post(SessionEvent event) {
        queue.add(new Event.FromSession(event));
    }

    void postKey(KeyStroke key) {
        queue.add(new Event.Key(key));
    }

    TuiState state() { return state; }

    /** Runs until the user quits: reads keys on a daemon thread, renders after each batch of events. */
    public void run() throws IOException, InterruptedException {
        var reader = Threads.start(() -> {
            try {
                while (!state.quit) {
                    var key = screen.readInput();
                    if (key != null) queue.add(new Event.Key(key));
                }
            } catch (IOException e) {
                log.warn("terminal input ended: {}", e.toString());
                queue.add(new Event.Key(new KeyStroke(KeyType.EOF)));
            }
        }, "tui-keys");
        var ticker = Executors.newSingleThreadScheduledExecutor(Threads.daemon("tui-tick"));
        ticker.scheduleAtFixedRate(() -> queue.add(new Event.Tick()), 1, 1, TimeUnit.SECONDS);
        session.refreshIndexStatus();
        try {
            draw();
            while (!state.quit) {
                handle(queue.take());
                Event more;
                while ((more = queue.poll()) != null) handle(more); // render once per batch of tokens
                draw();
            }
        } finally {
            ticker.shutdownNow();
        }
    }

    /** Handles what is queued and draws once; for tests. */
    void drain() throws IOException {
        Event e;
        while ((e = queue.poll()) != null) handle(e);
        draw();
    }

    /**
     * Handles events as they arrive, drawing after each, until {@code done} holds or the time is
     * up; for tests that wait on real session work. True if {@code done} came to hold.
     */
    boolean drainUntil(Predicate<TuiState> done, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        drain();
        while (!done.test(state)) {
            var e = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (e == null) return false;
            handle(e);
            draw();
        }
        return true;
    }

    private void draw() throws IOException {
        if (screen.doResizeIfNecessary() != null) screen.clear();
        renderer.render(screen, state);
        screen.refresh();
    }

    /** One event; whatever it throws ends that action with a notice, never the console. */
    private void handle(Event event) throws IOException {
        try {
            dispatch(event);
        } catch (IOException e) {
            state.notice = "cannot do that: " + e.getMessage();
        } catch (RuntimeException e) {
            log.error("handling {} failed", event, e);
            state.notice = Failures.oneLine(e);
        }
    }

    private void dispatch(Event event) throws IOException {
        if (event instanceof Event.Key k) key(k.key());
        else if (event instanceof Event.FromSession s) sessionEvent(s.event());
        else if (event instanceof Event.Tick && session.recording()) showRecording();
    }

    private void key(KeyStroke key) throws IOException {
        if (key.getKeyType() == KeyType.EOF) {
            state.quit = true;
            return;
        }
        boolean cancelKey = keys.get("cancel").matches(key);
        if (state.confirmQuit) {
            state.confirmQuit = false;
            if (cancelKey) state.quit = true;
            return;
        }
        state.completions = List.of();
        if (state.help) {
            if (keys.get("help").matches(key) || key.getKeyType() == KeyType.Escape
                    || (key.getKeyType() == KeyType.Character && key.getCharacter() == '?')) state.help = false;
            return;
        }
        if (cancelKey && session.recording()) {
            session.discardDictation();
            state.notice = "recording discarded";
            return;
        }
        if (cancelKey) {
            if (session.cancel()) state.notice = "answer cancelled";
            else state.confirmQuit = true;
            return;
        }
        if (keys.get("help").matches(key) || (state.input.isEmpty() && key.getKeyType() == KeyType.Character && key.getCharacter() == '?')) {
            state.help = true;
            return;
        }
        if (keys.get("redraw").matches(key)) {
            screen.refresh(Screen.RefreshType.COMPLETE);
            return;
        }
        if (keys.get("dictate").matches(key) || (session.recording() && keys.get("send").matches(key))) {
            dictate();
            return;
        }
        if (keys.get("scroll_up").matches(key)) {
            state.scroll += Math.max(1, screen.getTerminalSize().getRows() - 6);
            return;
        }
        if (keys.get("scroll_down").matches(key)) {
            state.scroll = Math.max(0, state.scroll - Math.max(1, screen.getTerminalSize().getRows() - 6));
            return;
        }
        if (keys.get("toggle_mode").matches(key)) {
            if (state.input.isEmpty()) switchMode(state.mode == Mode.RAG ? Mode.CHAT : Mode.RAG);
            else state.completions = state.input.complete();
            return;
        }
        if (keys.get("send").matches(key)) {
            send(state.input.take());
            return;
        }
        var input = state.input;
        switch (key.getKeyType()) {
            case Backspace -> input.backspace();
            case Delete -> input.delete();
            case ArrowLeft -> input.left();
            case ArrowRight -> input.right();
            case Home -> input.home();
            case End -> input.end();
            case ArrowUp -> input.previous();
            case ArrowDown -> input.next();
            case Character -> {
                char c = key.getCharacter();
                if (key.isCtrlDown()) {
                    switch (c) {
                        case 'a' -> input.home();
                        case 'e' -> input.end();
                        case 'u' -> input.clear();
                        default -> { }
                    }
                } else if (!key.isAltDown()) {
                    input.insert(String.valueOf(c));
                }
            }
            default -> { }
        }
    }

    /** The dictation key starts recording; it (or Enter) stops, and the transcript lands at the cursor. */
    private void dictate() {
        if (session.recording()) {
            session.finishDictation();
            state.notice = "transcribing …";
            return;
        }
        try {
            session.startDictation();
            showRecording();
        } catch (RagdeskException e) {
            state.notice = e.getMessage();
        }
    }

    private void showRecording() {
        var meter = session.dictationMeter();
        state.notice = String.format(Locale.ROOT, "● recording %.0fs %s — %s or Enter stops, %s discards", meter[0],
                Renderer.bar(Math.min(1, meter[1] * 4), 6), config.ui().keys().get("dictate"), config.ui().keys().get("cancel"));
    }

    private void switchMode(Mode mode) {
        state.mode = mode;
        session.switchMode(mode);
    }

    private void send(String line) throws IOException {
        var text = line.strip();
        if (text.isEmpty()) return;
        state.scroll = 0;
        state.notice = "";
        if (text.startsWith("/")) {
            command(text);
            return;
        }
        state.messages.add(new TuiState.Message("user", text));
        session.ask(text);
        if (state.phase == TuiState.Phase.LOADING) state.notice = "queued until the model is loaded";
    }

    private void command(String text) throws IOException {
        var outcome = SlashCommands.run(session, config, text, cwd);
        if (outcome instanceof SlashCommands.Outcome.Show show) system(show.text());
        else if (outcome instanceof SlashCommands.Outcome.Hint hint) state.notice = hint.text();
        else if (outcome instanceof SlashCommands.Outcome.Help) state.help = true;
        else if (outcome instanceof SlashCommands.Outcome.Copy) copyLastAnswer();
        else if (outcome instanceof SlashCommands.Outcome.Quit) state.quit = true;
        else if (outcome instanceof SlashCommands.Outcome.Downloading d) {
            state.downloads.put(d.target(), new DownloadProgress(d.target(), 0, -1, 0, -1, DownloadProgress.State.QUEUED));
        }
    }

    /** OSC 52 puts the text on the clipboard of the terminal the user sits at, over SSH too. */
    private void copyLastAnswer() {
        var last = state.lastAssistant();
        if (last == null) {
            state.notice = "no answer to copy yet";
            return;
        }
        clipboard.accept("\033]52;c;" + Base64.getEncoder().encodeToString(last.text.toString().getBytes(StandardCharsets.UTF_8)) + "\007");
        state.notice = "copied the last answer (OSC 52; in tmux: set -g set-clipboard on)";
    }

    /** A saved conversation in the chat pane, sources under each answer. */
    private void show(Conversation conversation) {
        state.messages.clear();
        for (var t : conversation.turns()) {
            var m = new TuiState.Message(t.role(), t.text());
            t.citations().forEach(c -> m.citations.add(c.label()));
            state.messages.add(m);
        }
    }

    private void system(String text) {
        state.messages.add(new TuiState.Message("system", text));
    }

    private void welcome() {
        var missing = session.missingModels();
        if (!missing.isEmpty()) system("Welcome to ragdesk. These models are not here yet:\n  " + String.join("\n  ", missing));
        else if (state.messages.isEmpty()) {
            system("Welcome to ragdesk. Ask a question; Tab switches RAG and Chat; /index PATH adds documents; F1 lists keys.");
        }
    }

    private void sessionEvent(SessionEvent event) {
        if (event instanceof SessionEvent.ModeChanged m) state.mode = m.mode();
        else if (event instanceof SessionEvent.ModelLoading l) phase(TuiState.Phase.LOADING, l.name());
        else if (event instanceof SessionEvent.ModelReady r) phase(TuiState.Phase.READY, r.model().name());
        else if (event instanceof SessionEvent.ModelFailed f) {
            state.phase = TuiState.Phase.FAILED;
            state.notice = f.reason();
        } else if (event instanceof SessionEvent.ModelCrashed c) {
            state.phase = TuiState.Phase.CRASHED;
            state.modelRam = 0;
            state.modelGpu = 0;
            state.notice = c.line();
        } else if (event instanceof SessionEvent.ModelUnloaded u) {
            state.phase = u.idle() ? TuiState.Phase.IDLE : TuiState.Phase.NONE;
            state.modelRam = 0;
            state.modelGpu = 0;
        } else if (event instanceof SessionEvent.AnswerToken t) {
            answerMessage(t.ticket()).text.append(t.text());
        } else if (event instanceof SessionEvent.AnswerStarted a) {
            answerMessage(a.ticket());
            state.phase = TuiState.Phase.GENERATING;
            state.phaseSince = System.currentTimeMillis();
        } else if (event instanceof SessionEvent.AnswerFinished f) {
            var message = answerMessage(f.ticket());
            if (message.text.length() == 0) message.text.append(f.text());
            message.streaming = false;
            Turn.citations(f.citations()).forEach(c -> message.citations.add(c.label()));
            state.answering = 0;
            if (f.cancelled()) state.notice = "answer cancelled";
            state.tokensPerSecond = f.tokensPerSecond();
            state.phase = TuiState.Phase.READY;
        } else if (event instanceof SessionEvent.AnswerFailed f) {
            endAnswer();
            system("⚠ " + f.message());
        } else if (event instanceof SessionEvent.AnswerCancelled) {
            endAnswer();
            state.notice = "question cancelled";
        } else if (event instanceof SessionEvent.Notice n) state.notice = n.message();
        else if (event instanceof SessionEvent.Download d) state.downloads.put(d.progress().name(), d.progress());
        else if (event instanceof SessionEvent.DownloadFinished d) {
            state.downloads.keySet().removeIf(k -> k.equals(d.target()) || k.contains(d.target()));
            state.downloads.entrySet().removeIf(en -> en.getValue().state() == DownloadProgress.State.DONE);
            system((d.ok() ? "✓ " : "⚠ ") + d.target() + ": " + d.message());
        } else if (event instanceof SessionEvent.Indexing i) state.indexing = i.progress().finished() ? null : i.progress();
        else if (event instanceof SessionEvent.IndexFinished f) {
            state.indexing = null;
            system(f.failed() ? "⚠ " + f.error() : capitalised(f.description()) + ".");
        } else if (event instanceof SessionEvent.IndexState s) {
            state.indexLine = s.exists() ? s.label() + " " + s.files() + " files" : "no " + s.label();
        } else if (event instanceof SessionEvent.Memory m) {
            state.gpu = m.sample();
            state.modelRam = m.modelRamBytes();
            state.modelGpu = m.modelGpuBytes();
        } else if (event instanceof SessionEvent.Transcript t) {
            insertTranscript(t.text());
        } else if (event instanceof SessionEvent.ConversationOpened c) {
            show(c.conversation());
            state.notice = "conversation " + c.conversation().file().getFileName();
        }
    }

    /** Dictated text goes to the cursor, unsent, for the user to edit. */
    private void insertTranscript(String text) {
        state.input.insert(text);
        state.notice = text.isEmpty() ? "no speech recognised" : "dictated text inserted; edit it, then Enter sends";
    }

    /** The message ticket {@code id}'s answer streams into, made when its first event arrives. */
    private TuiState.Message answerMessage(long id) {
        var last = state.messages.isEmpty() ? null : state.messages.get(state.messages.size() - 1);
        if (state.answering != id || last == null || !last.role.equals("assistant") || !last.streaming) {
            last = new TuiState.Message("assistant", "");
            last.streaming = true;
            state.messages.add(last);
            state.answering = id;
        }
        return last;
    }

    private void endAnswer() {
        var last = state.lastAssistant();
        if (last != null) last.streaming = false;
        state.answering = 0;
        if (state.phase == TuiState.Phase.GENERATING || state.phase == TuiState.Phase.LOADING) {
            state.phase = session.model().isPresent() ? TuiState.Phase.READY : TuiState.Phase.NONE;
        }
    }

    private void phase(TuiState.Phase phase, String modelName) {
        state.phase = phase;
        state.modelName = modelName;
        state.phaseSince = System.currentTimeMillis();
    }

    private static String capitalised(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
