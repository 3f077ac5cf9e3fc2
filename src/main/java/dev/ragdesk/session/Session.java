package dev.ragdesk.session;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.engine.ActiveModel;
import dev.ragdesk.engine.EngineEvent;
import dev.ragdesk.engine.Engines;
import dev.ragdesk.engine.Generation;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.gpu.GpuMonitor;
import dev.ragdesk.gpu.GpuSample;
import dev.ragdesk.models.Catalogue;
import dev.ragdesk.models.Downloader;
import dev.ragdesk.models.HfCache;
import dev.ragdesk.models.HubClient;
import dev.ragdesk.models.ModelFiles;
import dev.ragdesk.models.ModelInstaller;
import dev.ragdesk.models.Transfer;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.rag.Retriever;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One user's working session, shared by the full-screen console and the line REPL: the mode,
 * the conversation and its file, the model host, the index and downloads. Every method returns
 * at once; the work runs on session threads and reports back through {@link SessionEvent}s, so
 * a UI thread never waits on an engine. Model work (swaps, answers) runs in order on one
 * thread: a question typed during a swap waits its turn instead of being lost.
 */
public final class Session implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private final Workspace workspace;
    private final Config config;
    private final Map<String, String> env;
    private final String ui;
    private final Consumer<SessionEvent> listener;
    private final ModelHost host;
    private final Retriever retriever;
    private final GpuMonitor gpu;
    private final Assistant assistant;
    private final ExecutorService modelWork = Executors.newSingleThreadExecutor(named("session-model"));
    private final ExecutorService background = Executors.newSingleThreadExecutor(named("session-background"));
    private final AtomicBoolean indexCancel = new AtomicBoolean();
    private volatile Mode mode;
    private volatile Conversation conversation;
    private volatile Generation running;
    private volatile Transfer transfer;
    private volatile GpuSample lastGpu;
    private final Dictation dictation;

    public Session(Workspace workspace, Config config, Map<String, String> env, String llamaVersion, String ui,
                   Consumer<SessionEvent> listener, ModelHost.Options hostOptions) throws RagdeskException {
        this.workspace = workspace;
        this.config = config;
        this.env = env;
        this.ui = ui;
        this.listener = listener;
        this.gpu = GpuMonitor.standard(env);
        this.host = Engines.host(workspace, config, llamaVersion, this::onEngine, hostOptions);
        this.retriever = Documents.retriever(workspace);
        var planner = Engines.planner(workspace, config, () -> lastGpu != null ? lastGpu : gpu.sample());
        this.assistant = new Assistant(host, new ModelFiles(workspace, config), config, retriever, planner);
        this.mode = assistant.hasDocuments() ? Mode.RAG : Mode.CHAT;
        this.dictation = new Dictation(workspace, config);
        try {
            this.conversation = Conversation.latest(workspace.sessions()).orElseGet(() -> Conversation.start(workspace.sessions()));
        } catch (IOException e) {
            log.warn("cannot reopen the last conversation: {}", e.toString());
            this.conversation = Conversation.start(workspace.sessions());
        }
    }

    /** Starts GPU sampling and the pre-started worker. */
    public void start() {
        gpu.start(Duration.ofMillis(500), sample -> {
            lastGpu = sample;
            listener.accept(new SessionEvent.Gpu(sample));
        });
        host.warmUp();
        publishState();
    }

    public Mode mode() { return mode; }

    public Conversation conversation() { return conversation; }

    public Optional<ActiveModel> model() { return host.current(); }

    public boolean hasDocuments() { return assistant.hasDocuments(); }

    public Workspace workspace() { return workspace; }

    /** Switches mode and swaps the model in the background. */
    public void switchMode(Mode next) {
        mode = next;
        listener.accept(new SessionEvent.ModeChanged(next));
        modelWork.execute(() -> {
            try {
                assistant.switchTo(next);
            } catch (RagdeskException e) {
                listener.accept(new SessionEvent.Notice(e.getMessage()));
            }
            publishState();
        });
    }

    /** Queues a question in the current mode; it is answered after any swap or answer before it. */
    public void ask(String question) {
        var askedIn = mode;
        modelWork.execute(() -> answer(askedIn, question));
    }

    private void answer(Mode askedIn, String question) {
        var history = conversation.chatHistory();
        try {
            conversation.append(new Turn("user", question, askedIn.role(), List.of(), Instant.now().toString()));
        } catch (IOException e) {
            listener.accept(new SessionEvent.Notice("cannot save the conversation: " + e.getMessage()));
        }
        try {
            var reply = assistant.ask(askedIn, question, history, Assistant.Sampling.CONFIGURED,
                    piece -> listener.accept(new SessionEvent.AnswerToken(piece)));
            running = reply.generation();
            listener.accept(new SessionEvent.AnswerStarted(askedIn, question, reply.citations()));
            publishState();
            var result = reply.generation().await();
            running = null;
            var citations = new java.util.ArrayList<Turn.Citation>();
            for (int i = 0; i < reply.citations().size(); i++) {
                var p = reply.citations().get(i);
                citations.add(new Turn.Citation(i + 1, p.source(), p.location()));
            }
            conversation.append(new Turn("assistant", result.text(), askedIn.role(), citations, Instant.now().toString()));
            listener.accept(new SessionEvent.AnswerFinished(result, reply.citations()));
        } catch (Assistant.NothingRelevant e) {
            listener.accept(new SessionEvent.AnswerFailed("nothing in your documents matches that; rephrase it, or switch to chat mode (Tab, or /mode chat)"));
        } catch (RagdeskException | IOException e) {
            running = null;
            listener.accept(new SessionEvent.AnswerFailed(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Cancels the answer being generated; true if there was one. */
    public boolean cancel() {
        var g = running;
        if (g == null || g.result().isDone()) return false;
        g.cancel();
        return true;
    }

    public boolean answering() {
        var g = running;
        return g != null && !g.result().isDone();
    }

    public void index(Path path) {
        indexCancel.set(false);
        background.execute(() -> {
            try (var index = Documents.openForWriting(workspace, config)) {
                var summary = index.index(List.of(path), p -> listener.accept(new SessionEvent.Indexing(p)), indexCancel::get);
                listener.accept(new SessionEvent.IndexFinished(summary, ""));
                listener.accept(new SessionEvent.IndexState(retriever.status()));
            } catch (RagdeskException e) {
                listener.accept(new SessionEvent.IndexFinished(null, e.getMessage()));
            }
        });
    }

    /** Reads the index's size in the background and reports it as {@link SessionEvent.IndexState}. */
    public void refreshIndexStatus() {
        background.execute(() -> {
            try {
                listener.accept(new SessionEvent.IndexState(retriever.status()));
            } catch (RagdeskException e) {
                listener.accept(new SessionEvent.Notice(e.getMessage()));
            }
        });
    }

    public void remove(Path path) {
        background.execute(() -> {
            try (var index = Documents.openForWriting(workspace, config)) {
                int n = index.remove(path);
                listener.accept(new SessionEvent.Notice("removed " + n + " file" + (n == 1 ? "" : "s") + " under " + path));
            } catch (RagdeskException e) {
                listener.accept(new SessionEvent.Notice(e.getMessage()));
            }
        });
    }

    public void download(String target) {
        background.execute(() -> {
            var hubSettings = config.hub();
            var hub = HubClient.fromEnvironment(env, hubSettings.endpoint(), hubSettings.tokenEnv());
            var installer = new ModelInstaller(hub, Downloader.forHub(hub), HfCache.fromEnvironment(env));
            transfer = new Transfer();
            try {
                var t = ModelInstaller.target(target, new Catalogue(config), new ModelFiles(workspace, config), workspace.models());
                var outcome = installer.install(t, p -> listener.accept(new SessionEvent.Download(p)), transfer);
                listener.accept(new SessionEvent.DownloadFinished(target, outcome.how() + " " + outcome.file(), true));
            } catch (RagdeskException e) {
                listener.accept(new SessionEvent.DownloadFinished(target, e.getMessage(), false));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    public boolean recording() { return dictation.recording(); }

    /** {seconds, level} of the recording in progress. */
    public double[] dictationMeter() { return dictation.meter(); }

    /** Starts recording; fails at once (no microphone, a bad command) with what to configure. */
    public void startDictation() throws dev.ragdesk.voice.VoiceException {
        dictation.start();
    }

    /** Stops recording and transcribes in the background; the text comes as {@link SessionEvent.Transcript}. */
    public void finishDictation() {
        background.execute(() -> {
            try {
                listener.accept(new SessionEvent.Transcript(dictation.finish()));
            } catch (dev.ragdesk.voice.VoiceException e) {
                listener.accept(new SessionEvent.Notice(e.getMessage()));
            }
        });
    }

    /** Stops recording and transcribes on the calling thread (a line editor waits anyway). */
    public String finishDictationNow() throws dev.ragdesk.voice.VoiceException {
        return dictation.finish();
    }

    public void discardDictation() {
        dictation.discard();
    }

    /** Starts a new conversation file. */
    public void newConversation() {
        conversation = Conversation.start(workspace.sessions());
        listener.accept(new SessionEvent.ConversationOpened(conversation));
    }

    public List<Path> conversations() throws IOException {
        return Conversation.list(workspace.sessions());
    }

    public void openConversation(Path file) throws IOException {
        conversation = Conversation.open(file);
        listener.accept(new SessionEvent.ConversationOpened(conversation));
    }

    private void onEngine(EngineEvent event) {
        listener.accept(new SessionEvent.Engine(event));
        if (event instanceof EngineEvent.Loaded || event instanceof EngineEvent.WorkerCrashed || event instanceof EngineEvent.Unloaded) {
            publishState();
        }
    }

    /** Tells `ragdesk status` in another shell what this instance holds. */
    private void publishState() {
        var m = host.current();
        var state = new InstanceState(ProcessHandle.current().pid(), ui, mode.role(),
                m.map(ActiveModel::role).orElse(""), m.map(ActiveModel::displayName).orElse(""),
                m.map(a -> a.path().toString()).orElse(""), m.map(ActiveModel::pid).orElse(0L),
                m.map(ActiveModel::gpuLayers).orElse(0), Instant.now().toString());
        try {
            state.write(workspace.data());
        } catch (IOException e) {
            log.debug("cannot write the instance state: {}", e.toString());
        }
    }

    @Override
    public void close() {
        cancel();
        dictation.discard();
        indexCancel.set(true);
        var t = transfer;
        if (t != null) t.cancel();
        modelWork.shutdownNow();
        background.shutdownNow();
        host.close();
        gpu.close();
        try {
            retriever.close();
        } catch (IOException ignored) {
            // closing a reader: nothing to lose
        }
        try {
            java.nio.file.Files.deleteIfExists(InstanceState.file(workspace.data()));
        } catch (IOException ignored) {
            // a stale state file names a dead pid and is ignored
        }
    }

    private static java.util.concurrent.ThreadFactory named(String name) {
        return r -> {
            var t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
