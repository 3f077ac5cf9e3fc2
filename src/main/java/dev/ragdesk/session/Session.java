package dev.ragdesk.session;

import dev.ragdesk.Failures;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.engine.ActiveModel;
import dev.ragdesk.engine.EngineEvent;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.engine.WorkerCensus;
import dev.ragdesk.gpu.GpuMonitor;
import dev.ragdesk.gpu.GpuSample;
import dev.ragdesk.gpu.LayerPlanner;
import dev.ragdesk.io.Sizes;
import dev.ragdesk.models.Catalogue;
import dev.ragdesk.models.Downloader;
import dev.ragdesk.models.HfCache;
import dev.ragdesk.models.HubClient;
import dev.ragdesk.models.ModelFiles;
import dev.ragdesk.models.ModelInstaller;
import dev.ragdesk.models.Transfer;
import dev.ragdesk.process.Threads;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.rag.SearchBackend;
import dev.ragdesk.voice.AudioSource;
import dev.ragdesk.voice.Transcriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One user's working session, the one answering path for the console, the line REPL and
 * {@code ask}: the mode, the conversation and its file, the model host, the index, downloads
 * and dictation. Every method returns at once; the work runs on session threads and reports
 * back through {@link SessionEvent}s, so a UI thread never waits on an engine.
 *
 * <p>Work runs in lanes, one thread each, so that a slow job in one never holds up another:
 * model work (swaps and answers, in order: a question typed during a swap waits its turn),
 * indexing, downloads, and transcription. Every job ends with an event, whatever it throws.
 */
public final class Session implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    /**
     * How a UI uses the session.
     *
     * @param ui           "tui", "line" or "ask", published for {@code ragdesk status}
     * @param interactive  saves conversations, publishes its state and samples memory; {@code ask} does none of that
     * @param transcriber  speech to text for dictation; null for whisper with the configured model
     */
    public record Options(String ui, boolean interactive, ModelHost.Options host, Transcriber transcriber,
                          AudioSource audio) {
        public static Options interactive(String ui) {
            return new Options(ui, true, ModelHost.Options.defaults(), null, null);
        }

        /** One question from a script: nothing saved, no pre-started worker. */
        public static Options oneShot() {
            return new Options("ask", false, ModelHost.Options.defaults().withPrestart(false), null, null);
        }

        public Options withHost(ModelHost.Options options) { return new Options(ui, interactive, options, transcriber, audio); }

        public Options withTranscriber(Transcriber t) { return new Options(ui, interactive, host, t, audio); }

        /** Dictation's audio instead of [voice].source's. */
        public Options withAudio(AudioSource a) { return new Options(ui, interactive, host, transcriber, a); }
    }

    /**
     * How to answer one question.
     *
     * @param mode                  null: the session's mode at the time of asking
     * @param chatWhenNothingMatches in RAG mode, answer in chat mode (and say so) when no passage matches
     */
    public record Ask(Mode mode, Assistant.Sampling sampling, boolean chatWhenNothingMatches) {
        public static final Ask DEFAULT = new Ask(null, Assistant.Sampling.CONFIGURED, false);
    }

    private final Workspace workspace;
    private final Config config;
    private final Map<String, String> env;
    private final Options options;
    private final Consumer<SessionEvent> listener;
    private final ModelHost host;
    private final SearchBackend retriever;
    /** The embed model, loaded on first use and shared by searches (model lane) and indexing (index lane). */
    private final Embeddings embeddings;
    private final GpuMonitor gpu;
    private final Assistant assistant;
    private final LayerPlanner planner;
    /** The worker whose VRAM was last compared with its plan, so each load is logged once. */
    private volatile long comparedPid;
    private final Dictation dictation;
    private final ExecutorService modelLane = lane("session-model");
    private final ExecutorService indexLane = lane("session-index");
    private final ExecutorService downloadLane = lane("session-download");
    private final ExecutorService voiceLane = lane("session-voice");
    private final List<ExecutorService> lanes = List.of(modelLane, indexLane, downloadLane, voiceLane);
    private final AtomicBoolean indexCancel = new AtomicBoolean();
    private final AtomicLong ticketIds = new AtomicLong();
    /** Questions not yet ended, oldest first: Ctrl-C cancels them all. */
    private final ConcurrentLinkedQueue<Ticket> open = new ConcurrentLinkedQueue<>();
    private volatile Mode mode;
    private volatile Conversation conversation;
    private volatile Transfer transfer;
    private volatile GpuSample lastGpu;
    private volatile boolean closed;
    private static final Duration LANE_GRACE = Duration.ofSeconds(3);

    public Session(Workspace workspace, Config config, Map<String, String> env, String llamaVersion,
                   Consumer<SessionEvent> listener, Options options) throws RagdeskException {
        this.workspace = workspace;
        this.config = config;
        this.env = env;
        this.options = options;
        this.listener = listener;
        var parts = SessionParts.build(workspace, config, env, llamaVersion, options, this::onEngine);
        this.gpu = parts.gpu();
        this.planner = parts.planner();
        this.host = parts.host();
        this.embeddings = parts.embeddings();
        this.retriever = parts.retriever();
        this.assistant = parts.assistant();
        this.dictation = parts.dictation();
        this.mode = startingMode();
        this.conversation = options.interactive() ? reopenLatest() : Conversation.unsaved();
    }

    private Mode startingMode() {
        try {
            return assistant.hasDocuments() ? Mode.RAG : Mode.CHAT;
        } catch (RagdeskException e) {
            log.warn("starting in chat mode: {}", e.getMessage());
            return Mode.CHAT; // the index's trouble is reported when RAG mode is used
        }
    }

    private Conversation reopenLatest() {
        try {
            return Conversation.latest(workspace.sessions()).orElseGet(() -> Conversation.start(workspace.sessions()));
        } catch (IOException | RuntimeException e) {
            log.warn("cannot reopen the last conversation: {}", e.toString());
            return Conversation.start(workspace.sessions());
        }
    }

    /** Starts memory sampling and the pre-started worker. */
    public void start() {
        if (options.interactive()) gpu.start(Duration.ofMillis(500), this::onGpuSample);
        host.warmUp();
        publishState();
    }

    public Mode mode() { return mode; }

    public Conversation conversation() { return conversation; }

    /** The loaded model; never waits, even during a swap. */
    public Optional<ModelInfo> model() { return host.current().map(Session::info); }

    /** Whether RAG mode has anything to search; a damaged index counts as nothing, and says so when used. */
    public boolean hasDocuments() {
        try {
            return assistant.hasDocuments();
        } catch (RagdeskException e) {
            return false;
        }
    }

    public Workspace workspace() { return workspace; }

    /** Which engine runs the models ("jvm" or "llama-server") and why, for status lines. */
    /** The engine and what it computes on, as the console's status bar shows them: "llama-server cuda13". */
    public String engine() { return host.engineKind() + " " + host.computesOn(); }

    public String engineWhy() { return host.engineWhy(); }

    /**
     * The answering models not on disk yet, each as "chat: REPO FILE, about 2.0 GB; licence: …
     * — /download chat", for a first-run welcome. Dictation's model is fetched when first wanted;
     * the embed model is optional (BM25 works without it), so it is listed only beside a missing
     * answering model, on a first run, and never alone on every start.
     */
    public List<String> missingModels() {
        var files = new ModelFiles(workspace, config);
        var missing = new ArrayList<String>();
        String embed = null;
        for (var e : new Catalogue(config).entries()) {
            if (!e.usedByApp() || e.role().equals("whisper") || e.spec().isRemote() || files.present(e.role())) continue;
            var line = e.role() + ": " + e.spec().repo() + " " + e.spec().file()
                    + (e.approxBytes() > 0 ? ", about " + Sizes.human(e.approxBytes()) : "")
                    + "; licence: " + e.licence() + " — /download " + e.role();
            if (e.role().equals("embed")) embed = line + " (optional: search by meaning, across languages)";
            else missing.add(line);
        }
        if (!missing.isEmpty() && embed != null) missing.add(embed);
        return missing;
    }

    /** Switches mode and swaps the model in the background. */
    public void switchMode(Mode next) {
        mode = next;
        listener.accept(new SessionEvent.ModeChanged(next));
        modelLane.execute(() -> {
            try {
                assistant.switchTo(next);
            } catch (ModelHost.LoadCancelled e) {
                listener.accept(new SessionEvent.Notice("model load cancelled; ask a question to load it"));
            } catch (RagdeskException e) {
                listener.accept(new SessionEvent.Notice(e.getMessage()));
            } catch (RuntimeException | Error e) {
                log.error("switching to {} mode failed", next, e);
                listener.accept(new SessionEvent.Notice(Failures.oneLine(e)));
            }
            publishState();
        });
    }

    /** Queues a question in the current mode; it is answered after any swap or answer before it. */
    public Ticket ask(String question) {
        return ask(question, Ask.DEFAULT);
    }

    public Ticket ask(String question, Ask request) {
        var resolved = new Ask(request.mode() != null ? request.mode() : mode, request.sampling(), request.chatWhenNothingMatches());
        var ticket = new Ticket(ticketIds.incrementAndGet(), question, resolved, conversation);
        open.add(ticket);
        try {
            modelLane.execute(() -> run(ticket));
        } catch (RejectedExecutionException closed) {
            end(ticket, new Ticket.End.Failed("the session is closing"));
        }
        return ticket;
    }

    /** Runs one question and ends its ticket, whatever happens on the way. */
    private void run(Ticket ticket) {
        Ticket.End end;
        try {
            end = ticket.cancelled() ? new Ticket.End.Cancelled() : answer(ticket);
        } catch (ModelHost.LoadCancelled e) {
            end = new Ticket.End.Cancelled();
        } catch (RagdeskException e) {
            end = new Ticket.End.Failed(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end = new Ticket.End.Cancelled();
        } catch (RuntimeException | Error e) {
            log.error("answering \"{}\" failed", abbreviate(ticket.question()), e);
            end = new Ticket.End.Failed(Failures.oneLine(e) + "; ask again, or start over with /new");
        }
        end(ticket, end);
    }

    private Ticket.End answer(Ticket ticket) throws RagdeskException, InterruptedException {
        var conv = ticket.conversation();
        var request = ticket.request();
        var history = conv.chatHistory();
        save(conv, new Turn("user", ticket.question(), request.mode().role(), List.of(), Instant.now().toString()));
        var asked = request.mode();
        Assistant.Reply reply;
        Consumer<String> onToken = piece -> listener.accept(new SessionEvent.AnswerToken(ticket.id(), piece));
        try {
            reply = assistant.ask(asked, ticket.question(), history, request.sampling(), onToken);
        } catch (Assistant.NothingRelevant nothing) {
            if (!request.chatWhenNothingMatches()) {
                return new Ticket.End.Failed(nothing.getMessage());
            }
            listener.accept(new SessionEvent.Notice("no passage in your documents matches; answering in chat mode"));
            asked = Mode.CHAT;
            if (ticket.cancelled()) return new Ticket.End.Cancelled();
            reply = assistant.ask(asked, ticket.question(), history, request.sampling(), onToken);
        }
        ticket.attach(reply.generation());
        listener.accept(new SessionEvent.AnswerStarted(ticket.id(), asked, ticket.question(), reply.citations()));
        var result = reply.generation().await();
        save(conv, new Turn("assistant", result.text(), asked.role(), Turn.citations(reply.citations()), Instant.now().toString()));
        var model = reply.model();
        return new Ticket.End.Answered(asked, model.displayName(), model.spawnMs() + model.loadMs(), result, reply.citations());
    }

    private void save(Conversation conv, Turn turn) {
        try {
            conv.append(turn);
        } catch (IOException e) {
            listener.accept(new SessionEvent.Notice("cannot save the conversation (" + e.getMessage() + "); the answer goes on unsaved"));
        }
    }

    /** Ends a ticket once: its event first, then its future, so whoever waits on the future has seen the event. */
    private void end(Ticket ticket, Ticket.End end) {
        open.remove(ticket);
        if (!ticket.claimEnd()) return;
        try {
            emitEnd(ticket, end);
        } finally {
            ticket.finish(end);
        }
    }

    private void emitEnd(Ticket ticket, Ticket.End end) {
        if (end instanceof Ticket.End.Answered a) {
            listener.accept(new SessionEvent.AnswerFinished(ticket.id(), a.result(), a.citations()));
        } else if (end instanceof Ticket.End.Failed f) {
            listener.accept(new SessionEvent.AnswerFailed(ticket.id(), f.message()));
        } else {
            listener.accept(new SessionEvent.AnswerCancelled(ticket.id()));
        }
    }

    /**
     * Ctrl-C: cancels every question not yet ended (queued, loading its model, or streaming) and
     * a model load in progress. True if there was anything to cancel.
     */
    public boolean cancel() {
        boolean any = false;
        for (var ticket : open) any |= ticket.cancel();
        any |= host.cancelLoad();
        return any;
    }

    public void index(Path path) {
        indexCancel.set(false);
        indexLane.execute(guarded("indexing", e -> listener.accept(new SessionEvent.IndexFinished(null, e)), () -> {
            try (var index = Documents.openForWriting(workspace, config, embeddings, env)) {
                var summary = index.index(List.of(path), p -> listener.accept(new SessionEvent.Indexing(p)), indexCancel::get);
                listener.accept(new SessionEvent.IndexFinished(summary, ""));
            }
            listener.accept(new SessionEvent.IndexState(retriever.status()));
        }));
    }

    /** Gives every indexed chunk a vector from the embed model (an index built before there was one). */
    public void embedIndex() {
        indexCancel.set(false);
        indexLane.execute(guarded("embedding the index", e -> listener.accept(new SessionEvent.IndexFinished(null, e)), () -> {
            try (var index = Documents.openForEmbedding(workspace, config, embeddings, env)) {
                var summary = index.embedMissing(p -> listener.accept(new SessionEvent.Indexing(p)), indexCancel::get);
                listener.accept(new SessionEvent.IndexFinished(summary, ""));
            }
            listener.accept(new SessionEvent.IndexState(retriever.status()));
        }));
    }

    /** Which retrieval mode RAG mode runs now, and why: for /mode and the help. */
    public String retrievalMode() {
        return retriever.describeRetrieval();
    }

    /** Reads the index's size in the background and reports it as {@link SessionEvent.IndexState}. */
    public void refreshIndexStatus() {
        indexLane.execute(guarded("reading the index", this::notice,
                () -> listener.accept(new SessionEvent.IndexState(retriever.status()))));
    }

    public void remove(Path path) {
        indexLane.execute(guarded("removing " + path, this::notice, () -> {
            try (var index = Documents.openForWriting(workspace, config, env)) {
                int n = index.remove(path);
                notice("removed " + n + " file" + (n == 1 ? "" : "s") + " under " + path);
            }
            listener.accept(new SessionEvent.IndexState(retriever.status()));
        }));
    }

    public void download(String target) {
        downloadLane.execute(guarded("downloading " + target,
                e -> listener.accept(new SessionEvent.DownloadFinished(target, e, false)), () -> {
            var hubSettings = config.hub();
            var hub = HubClient.fromEnvironment(env, hubSettings.endpoint(), hubSettings.tokenEnv());
            var installer = new ModelInstaller(hub, Downloader.forHub(hub), HfCache.fromEnvironment(env));
            transfer = new Transfer();
            var how = new ArrayList<String>();
            for (var t : ModelInstaller.targets(target, new Catalogue(config), new ModelFiles(workspace, config), workspace.models())) {
                var outcome = installer.install(t, p -> listener.accept(new SessionEvent.Download(p)), transfer);
                how.add(outcome.how() + " " + outcome.file());
            }
            listener.accept(new SessionEvent.DownloadFinished(target, String.join("; ", how), true));
        }));
    }

    public boolean recording() { return dictation.recording(); }

    /** {seconds, level} of the recording in progress. */
    public double[] dictationMeter() { return dictation.meter(); }

    /** Starts recording; fails at once (no microphone, a bad command) with what to configure. */
    public void startDictation() throws RagdeskException {
        dictation.start();
    }

    /** Stops recording and transcribes in its own lane; the text comes as {@link SessionEvent.Transcript}. */
    public void finishDictation() {
        voiceLane.execute(guarded("transcribing", this::notice,
                () -> listener.accept(new SessionEvent.Transcript(dictation.finish()))));
    }

    /** Stops recording and transcribes on the calling thread (a line editor waits anyway). */
    public String finishDictationNow() throws RagdeskException {
        return dictation.finish();
    }

    public void discardDictation() {
        dictation.discard();
    }

    /** Starts a new conversation file; a question being answered stays in the one it was asked in. */
    public void newConversation() {
        conversation = options.interactive() ? Conversation.start(workspace.sessions()) : Conversation.unsaved();
        listener.accept(new SessionEvent.ConversationOpened(conversation));
    }

    public List<Path> conversations() throws IOException {
        return Conversation.list(workspace.sessions());
    }

    public void openConversation(Path file) throws IOException {
        conversation = Conversation.open(file);
        listener.accept(new SessionEvent.ConversationOpened(conversation));
    }

    private void notice(String message) {
        listener.accept(new SessionEvent.Notice(message));
    }

    private void onEngine(EngineEvent event) {
        if (event instanceof EngineEvent.Loading l) listener.accept(new SessionEvent.ModelLoading(l.role(), l.displayName()));
        else if (event instanceof EngineEvent.Loaded l) listener.accept(new SessionEvent.ModelReady(info(l.model())));
        else if (event instanceof EngineEvent.Failed f) listener.accept(new SessionEvent.ModelFailed(f.role(), f.reason()));
        else if (event instanceof EngineEvent.WorkerCrashed c) listener.accept(new SessionEvent.ModelCrashed(c.role(), c.how(), c.line()));
        else if (event instanceof EngineEvent.Unloaded u) listener.accept(new SessionEvent.ModelUnloaded(u.role(), u.idle()));
        // tokens reach the UI once, through the ticket's AnswerToken; engine-level ones stop here
        if (event instanceof EngineEvent.Loaded || event instanceof EngineEvent.WorkerCrashed || event instanceof EngineEvent.Unloaded) {
            publishState();
        }
    }

    private void onGpuSample(GpuSample sample) {
        lastGpu = sample;
        long pid = host.current().map(ActiveModel::pid).orElse(0L);
        long ram = pid > 0 ? Math.max(0, WorkerCensus.rssBytes(pid)) : 0;
        long vram = pid > 0 ? sample.gpuBytesOf(Set.of(pid)) : 0;
        if (vram > 0 && pid != comparedPid) {
            comparedPid = pid;
            host.current().filter(m -> m.path() != null).flatMap(m -> planner.lastPlan(m.path())).ifPresent(plan -> log.info(
                    "VRAM of the loaded model: planned {} MB for {} layers, the card reports {} MB ({}% of the plan)",
                    plan.estimatedBytes() >> 20, plan.gpuLayers(), vram >> 20, plan.estimatedBytes() > 0 ? vram * 100 / plan.estimatedBytes() : 0));
        }
        listener.accept(new SessionEvent.Memory(sample, ram, vram));
    }

    private static ModelInfo info(ActiveModel m) {
        return new ModelInfo(m.role(), m.displayName(), m.gpuLayers(), m.spawnMs() + m.loadMs());
    }

    /**
     * Tells `ragdesk status` in another shell what this instance holds: written (atomically,
     * fsynced) when the model or the mode changes, not per question.
     */
    private void publishState() {
        // a lane job finishing after close() must not bring back the file close() deleted
        if (!options.interactive() || closed) return;
        var m = host.current();
        var state = new InstanceState(ProcessHandle.current().pid(), options.ui(), mode.role(),
                m.map(ActiveModel::role).orElse(""), m.map(ActiveModel::displayName).orElse(""),
                m.map(ActiveModel::location).orElse(""), m.map(ActiveModel::pid).orElse(0L),
                m.map(ActiveModel::gpuLayers).orElse(0), Instant.now().toString());
        try {
            state.write(workspace.data());
        } catch (IOException e) {
            log.debug("cannot write the instance state: {}", e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        cancel();
        dictation.discard();
        indexCancel.set(true);
        var t = transfer;
        if (t != null) t.cancel();
        for (var lane : lanes) lane.shutdownNow();
        for (var ticket : open) end(ticket, new Ticket.End.Cancelled());
        host.close();
        gpu.close();
        awaitLanes();
        try {
            retriever.close();
        } catch (IOException ignored) {
            // closing a reader: nothing to lose
        }
        embeddings.close();
        if (options.interactive()) {
            try {
                Files.deleteIfExists(InstanceState.file(workspace.data()));
            } catch (IOException ignored) {
                // a stale state file names a dead pid and is ignored
            }
        }
    }

    /**
     * Gives interrupted jobs a moment to end, so none writes into the workspace after close()
     * returns (a test's temporary workspace was being removed while a mode switch still wrote
     * the state file). Bounded: a native call such as a transcription cannot be interrupted, and
     * quitting must not wait long on one; what a late job still writes, it writes atomically.
     */
    private void awaitLanes() {
        long deadline = System.nanoTime() + LANE_GRACE.toNanos();
        try {
            for (var lane : lanes) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !lane.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                    log.debug("a session job was still running at close");
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A job body that may fail in the ways a user can act on. */
    private interface Job {
        void run() throws RagdeskException, InterruptedException;
    }

    /** Runs {@code job}; any failure, expected or not, reaches {@code onFailure} as one line. */
    private static Runnable guarded(String what, Consumer<String> onFailure, Job job) {
        return () -> {
            try {
                job.run();
            } catch (RagdeskException e) {
                onFailure.accept(e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException | Error e) {
                log.error("{} failed", what, e);
                onFailure.accept(what + " failed: " + Failures.oneLine(e));
            }
        };
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "…";
    }

    private static ExecutorService lane(String name) {
        return Executors.newSingleThreadExecutor(Threads.daemon(name));
    }
}
