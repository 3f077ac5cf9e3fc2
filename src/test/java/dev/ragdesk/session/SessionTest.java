package dev.ragdesk.session;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.cli.Main;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.ConfigLoader;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.testing.FakeWhisper;
import dev.ragdesk.testing.LighthouseDocs;
import dev.ragdesk.testing.MiniLm;
import dev.ragdesk.testing.Wavs;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/** The one answering path, on real worker processes, a real index and real files. */
@Timeout(120)
class SessionTest {

    @TempDir Path home;
    Session session;
    final BlockingQueue<SessionEvent> events = new LinkedBlockingQueue<>();
    final List<SessionEvent> seen = new CopyOnWriteArrayList<>();
    volatile Consumer<SessionEvent> hook = e -> {};

    Config configure(String extraToml) throws Exception {
        return configure(2048, extraToml);
    }

    Config configure(int ctx, String extraToml) throws Exception {
        var rag = SyntheticGguf.llama().writeTo(home.resolve("rag.gguf"));
        var chat = SyntheticGguf.llama().seed(5).writeTo(home.resolve("chat.gguf"));
        Files.writeString(home.resolve("config.toml"), "[models.rag]\npath = \"" + rag + "\"\n[models.chat]\npath = \"" + chat + "\"\n"
                + "[llama]\nctx_size = " + ctx + "\n[chat]\nmax_tokens = 6\n[rag]\nmax_tokens = 6\n" + extraToml);
        return new ConfigLoader().load(home.resolve("config.toml")).config();
    }

    Session open(Config config) throws Exception {
        return open(config, Session.Options.interactive("tui"));
    }

    Session open(Config config, Session.Options options) throws Exception {
        var workspace = new Workspace(home).ensureDataDirs();
        session = new Session(workspace, config, Map.of("PATH", "", "RAGDESK_GPU", "none"), "4.2.0", e -> {
            seen.add(e);
            events.add(e);
            hook.accept(e);
        }, options.withHost(ModelHost.Options.defaults().withPrestart(false)));
        return session;
    }


    <T extends SessionEvent> T await(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            var e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (e == null) fail("no " + type.getSimpleName() + "; saw " + seen);
            if (type.isInstance(e)) return type.cast(e);
        }
    }

    static Ticket.End end(Ticket ticket) throws Exception {
        return ticket.done().get(60, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        if (session != null) session.close();
    }

    /** Item 1: a pasted question of about 1,100 words used to throw TooManyClauses and hang the answer. */
    @Test
    void aLongQuestionIsAnsweredInRagMode() throws Exception {
        var config = configure(32768, ""); // the tiny test vocabulary spells most words letter by letter
        LighthouseDocs.indexedIn(home, config);
        open(config);
        var words = new StringBuilder("When is the lamp of the lighthouse lit? ");
        var vocabulary = List.of("harbour", "keeper", "night", "ship", "stone", "tower", "storm", "light", "rock", "wave");
        for (int i = 0; i < 1100; i++) words.append(vocabulary.get(i % vocabulary.size())).append(i).append(' ');
        var end = end(session.ask(words.toString(), new Session.Ask(Mode.RAG, Assistant.Sampling.CONFIGURED, false)));
        var answered = assertInstanceOf(Ticket.End.Answered.class, end, "the question is answered: " + end);
        assertEquals(1, answered.citations().size(), "the lighthouse passage was still found");
    }

    /** Item 2: a saved line that is JSON but not a turn gave an NPE on the model thread, and chat hung. */
    @Test
    void aForeignLineInTheSavedConversationDoesNotStopAnswers() throws Exception {
        var config = configure("");
        var sessions = Files.createDirectories(home.resolve(".data/sessions"));
        Files.writeString(sessions.resolve("20260101-000000-000.jsonl"),
                "{\"role\":\"user\",\"text\":\"hello\",\"mode\":\"chat\",\"citations\":[],\"at\":\"t\"}\n{\"note\":\"not a turn\"}\n[1,2]\nnull\n");
        open(config);
        assertEquals(1, session.conversation().turns().size(), "the one real turn is kept");
        var end = end(session.ask("Once upon a time", new Session.Ask(Mode.CHAT, Assistant.Sampling.CONFIGURED, false)));
        assertInstanceOf(Ticket.End.Answered.class, end, String.valueOf(end));
    }

    /** Item 2: any failure on the model thread ends the question with one line, never a silent hang. */
    @Test
    void anUnexpectedFailureEndsTheQuestionWithOneLine() throws Exception {
        var config = configure("");
        open(config);
        hook = e -> {
            if (e instanceof SessionEvent.ModelReady) throw new IllegalStateException("a bug in a listener");
        };
        var end = end(session.ask("Once upon a time", new Session.Ask(Mode.CHAT, Assistant.Sampling.CONFIGURED, false)));
        var failed = assertInstanceOf(Ticket.End.Failed.class, end);
        assertTrue(failed.message().startsWith("internal error (IllegalStateException); details in .data/logs/ragdesk.log"), failed.message());
        assertFalse(failed.message().contains("\n"));
        hook = e -> {};
        assertInstanceOf(Ticket.End.Answered.class, end(session.ask("again", new Session.Ask(Mode.CHAT, Assistant.Sampling.CONFIGURED, false))),
                "the next question works");
    }

    /** Item 3: Ctrl-C while the model loads cancels the load and every question queued behind it. */
    @Test
    void cancelDuringTheLoadDropsTheLoadAndEveryQueuedQuestion() throws Exception {
        var config = configure("");
        open(config);
        var cancelled = new CompletableFuture<Boolean>();
        hook = e -> {
            if (e instanceof SessionEvent.ModelLoading && !cancelled.isDone()) cancelled.complete(session.cancel());
        };
        var asked = new Session.Ask(Mode.CHAT, Assistant.Sampling.CONFIGURED, false);
        var tickets = List.of(session.ask("one", asked), session.ask("two", asked), session.ask("three", asked));
        assertTrue(cancelled.get(60, TimeUnit.SECONDS), "there was something to cancel");
        for (var t : tickets) assertInstanceOf(Ticket.End.Cancelled.class, end(t), t.question());
        assertTrue(session.model().isEmpty(), "the abandoned load left no model");
        assertTrue(seen.stream().noneMatch(e -> e instanceof SessionEvent.AnswerStarted), "no answer began: " + seen);
        assertEquals(3, seen.stream().filter(e -> e instanceof SessionEvent.AnswerCancelled).count());
        hook = e -> {};
        assertInstanceOf(Ticket.End.Answered.class, end(session.ask("four", asked)), "the next question loads and answers");
    }

    /** Item 3: a question typed during a swap waits its turn and is answered by the new model. */
    @Test
    void aQuestionQueuedDuringASwapIsAnsweredAfterIt() throws Exception {
        var config = configure("");
        open(config);
        var asked = new CompletableFuture<Ticket>();
        var noModelYet = new AtomicBoolean();
        hook = e -> {
            // on the model thread, inside the swap: the question is asked while the load runs, not after it
            if (e instanceof SessionEvent.ModelLoading && !asked.isDone()) {
                noModelYet.set(session.model().isEmpty());
                asked.complete(session.ask("Once upon a time"));
            }
        };
        session.switchMode(Mode.CHAT);
        var ticket = asked.get(60, TimeUnit.SECONDS);
        assertTrue(noModelYet.get(), "the question was asked while no model was loaded yet");
        var answered = assertInstanceOf(Ticket.End.Answered.class, end(ticket));
        assertEquals("chat", answered.model());
        int loading = indexOf(SessionEvent.ModelReady.class);
        int started = indexOf(SessionEvent.AnswerStarted.class);
        assertTrue(loading >= 0 && loading < started, "the answer began after the model was ready: " + seen);
        assertEquals(1, seen.stream().filter(e -> e instanceof SessionEvent.ModelLoading).count(), "one load, not one per request");
    }

    /** Item 4: asking which model is loaded never waits for a load, which can take minutes. */
    @Test
    void theModelCanBeReadWhileALoadHoldsTheHost() throws Exception {
        var config = configure("");
        open(config);
        var read = new CompletableFuture<Boolean>();
        hook = e -> {
            if (e instanceof SessionEvent.ModelLoading && !read.isDone()) {
                // we are on the model thread, inside the host's swap: another reader must not wait for it
                var reader = CompletableFuture.supplyAsync(() -> session.model().isEmpty());
                try {
                    read.complete(reader.get(10, TimeUnit.SECONDS));
                } catch (Exception timeout) {
                    read.completeExceptionally(timeout);
                }
            }
        };
        var ticket = session.ask("Once upon a time", new Session.Ask(Mode.CHAT, Assistant.Sampling.CONFIGURED, false));
        assertTrue(read.get(60, TimeUnit.SECONDS), "the reader saw no model yet, at once");
        assertInstanceOf(Ticket.End.Answered.class, end(ticket));
        assertEquals("chat", session.model().orElseThrow().name());
    }

    /** Item 5: transcription has its own lane, so a long download does not hold it up. */
    @Test
    void dictationFinishesWhileADownloadIsStillRunning() throws Exception {
        try (var hub = new MockWebServer()) {
            var body = new Buffer().write(new byte[4_000_000]);
            hub.enqueue(new MockResponse().setResponseCode(200).addHeader("X-Linked-Size", "4000000")
                    .addHeader("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567"));
            hub.enqueue(new MockResponse().setBody(body).throttleBody(16_384, 1, TimeUnit.SECONDS)); // about 4 minutes
            hub.start(InetAddress.getLoopbackAddress(), 0);
            var wav = Wavs.tone(home.resolve("two-seconds.wav"), 2.0);
            var config = configure("[voice]\nsource = \"file\"\nfile = \"" + wav + "\"\n[hub]\nendpoint = \"" + hub.url("/") + "\"\n");
            open(config, Session.Options.interactive("tui").withTranscriber(FakeWhisper.saying(home, "नमस्ते दुनिया")));
            session.download("acme/slow:weights.bin");
            await(SessionEvent.Download.class);
            session.startDictation();
            session.finishDictation();
            var transcript = await(SessionEvent.Transcript.class);
            assertEquals("नमस्ते दुनिया", transcript.text());
            assertTrue(seen.stream().noneMatch(e -> e instanceof SessionEvent.DownloadFinished), "the download is still running");
        }
    }

    /** Item 8: /new during an answer does not split the exchange across two files. */
    @Test
    void anAnswerIsSavedInTheConversationItWasAskedIn() throws Exception {
        var config = configure("");
        open(config);
        var first = session.conversation();
        hook = e -> {
            if (e instanceof SessionEvent.AnswerStarted) session.newConversation();
        };
        assertInstanceOf(Ticket.End.Answered.class, end(session.ask("Once upon a time", new Session.Ask(Mode.CHAT, Assistant.Sampling.CONFIGURED, false))));
        var saved = Conversation.open(first.file()).turns();
        assertEquals(List.of("user", "assistant"), saved.stream().map(Turn::role).toList(), "question and answer stay together");
        assertNotEquals(first.file(), session.conversation().file());
        assertTrue(session.conversation().turns().isEmpty());
    }

    /** The status command reads what a running session publishes, not a hand-written file. */
    @Test
    void aRunningSessionPublishesItsModelForStatus() throws Exception {
        var config = configure("");
        open(config);
        session.start();
        assertInstanceOf(Ticket.End.Answered.class, end(session.ask("Once upon a time", new Session.Ask(Mode.CHAT, Assistant.Sampling.CONFIGURED, false))));
        var state = InstanceState.readLive(home.resolve(".data")).orElseThrow();
        var out = new StringWriter();
        int code = Main.run(new String[] {"--home", home.toString(), "status", "--json"}, Map.of("PATH", "", "RAGDESK_GPU", "none"),
                new PrintWriter(out, true), new PrintWriter(new StringWriter(), true));
        assertEquals(0, code);
        var current = JsonMapper.builder().build().readTree(out.toString()).get("current_model");
        assertEquals("chat", current.get("name").asText(), "ragdesk status in another shell sees it: " + out);
        assertEquals("tui", current.get("ui").asText());
        assertTrue(current.get("worker_rss_mb").asLong() > 0, "the worker's RSS stands in for VRAM without a GPU");
        assertEquals(ProcessHandle.current().pid(), state.pid());
        assertEquals("chat", state.modelRole());
        assertEquals("chat", state.modelName());
        assertTrue(ProcessHandle.of(state.workerPid()).map(ProcessHandle::isAlive).orElse(false), "the worker it names is alive");
        session.close();
        assertTrue(InstanceState.readLive(home.resolve(".data")).isEmpty(), "closing withdraws it");
        session = null;
    }

    /**
     * A mode switch still at work when the console quits: its job used to publish the state
     * after close() had withdrawn it, writing into a workspace being removed (a CI failure).
     * The job (a switch to a model not on disk) is held inside its notice until close() has returned.
     */
    @Test
    void nothingIsWrittenAfterCloseReturns() throws Exception {
        var config = configure("");
        Files.delete(home.resolve("chat.gguf"));
        open(config);
        var closeReturned = new CountDownLatch(1);
        var held = new AtomicReference<Thread>();
        var entered = new CountDownLatch(1);
        hook = e -> {
            // a Notice is sent outside the host's lock, which close() needs
            if (!(e instanceof SessionEvent.Notice) || !Thread.currentThread().getName().equals("session-model")
                    || !held.compareAndSet(null, Thread.currentThread())) return;
            entered.countDown();
            boolean interrupted = false;
            while (true) { // close() interrupts the lane; the job must still be here when close() returns
                try {
                    if (closeReturned.await(30, TimeUnit.SECONDS)) break;
                } catch (InterruptedException ie) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        };
        session.switchMode(Mode.CHAT);
        assertTrue(entered.await(60, TimeUnit.SECONDS), "the switch's job sent its notice: " + seen);
        session.close(); // bounded: it does not wait for the held job for ever
        var data = home.resolve(".data");
        var touched = new ArrayList<String>();
        try (var watcher = data.getFileSystem().newWatchService()) {
            data.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            closeReturned.countDown();
            held.get().join(30_000);
            assertFalse(held.get().isAlive());
            // inotify reports in order: whatever the job did comes before this file
            Files.createFile(data.resolve("after-the-job"));
            watching:
            while (true) {
                var key = watcher.poll(30, TimeUnit.SECONDS);
                assertNotNull(key, "the watch service reported nothing, not even our own file");
                for (var event : key.pollEvents()) {
                    if ("after-the-job".equals(String.valueOf(event.context()))) break watching;
                    touched.add(event.kind() + " " + event.context());
                }
                key.reset();
            }
        }
        assertEquals(List.of(), touched, "the job wrote into the workspace after close() returned");
        assertTrue(InstanceState.readLive(data).isEmpty());
        session = null;
    }

    @Test
    void theEmbedModelIsOfferedOnlyBesideAMissingAnsweringModel() throws Exception {
        var config = configure("");
        open(config);
        assertEquals(List.of(), session.missingModels(), "rag and chat are here: no nagging about the optional embed model");
        session.close();
        Files.delete(home.resolve("chat.gguf"));
        open(config);
        var missing = session.missingModels();
        assertEquals(2, missing.size(), missing.toString());
        assertTrue(missing.get(0).startsWith("chat: "), missing.toString());
        assertTrue(missing.get(1).startsWith("embed: intfloat/multilingual-e5-small onnx/model.onnx, about 487"), missing.get(1));
        assertTrue(missing.get(1).endsWith("/download embed (optional: search by meaning, across languages)"), missing.get(1));
    }

    /** The console's /index --embed and /mode, and a RAG answer whose passage only meaning could find. */
    @Test
    void theConsoleEmbedsAnOldIndexAndRagModeThenFindsPassagesByMeaning() throws Exception {
        var config = configure(4096, MiniLm.configToml());
        var docs = Files.createDirectories(home.resolve("docs"));
        Files.writeString(docs.resolve("car.txt"), "The automobile would not start because its battery was flat.\n");
        Files.writeString(docs.resolve("rice.txt"), "Monsoon rains flooded the rice fields near the river delta.\n");
        var workspace = new Workspace(home).ensureDataDirs();
        try (var index = Documents.openForWriting(workspace, config)) { // built before there was an embed model
            index.index(List.of(docs), p -> {}, () -> false);
        }
        open(config);
        var before = assertInstanceOf(SlashCommands.Outcome.Show.class, SlashCommands.run(session, config, "/mode", home));
        assertTrue(before.text().contains("RAG finds passages by bm25; the index has no vectors yet"), before.text());

        assertInstanceOf(SlashCommands.Outcome.Done.class, SlashCommands.run(session, config, "/index --embed", home));
        var finished = await(SessionEvent.IndexFinished.class);
        assertEquals("", finished.error());
        assertEquals(2, finished.summary().embedded());
        assertTrue(seen.stream().anyMatch(e -> e instanceof SessionEvent.Indexing i && i.progress().chunksEmbedded() == 2),
                "progress counts the vectors made");

        var after = assertInstanceOf(SlashCommands.Outcome.Show.class, SlashCommands.run(session, config, "/mode", home));
        assertTrue(after.text().contains("RAG finds passages by hybrid (BM25 + vectors from all-minilm-l6-v2.onnx"), after.text());

        var end = end(session.ask("my vehicle refuses to turn on", new Session.Ask(Mode.RAG, Assistant.Sampling.CONFIGURED, false)));
        var answered = assertInstanceOf(Ticket.End.Answered.class, end, "answered: " + end);
        assertTrue(answered.citations().get(0).source().endsWith("car.txt"), "the passage no word of the question is in: " + answered.citations());
    }

    private int indexOf(Class<?> type) {
        var list = new ArrayList<>(seen);
        for (int i = 0; i < list.size(); i++) if (type.isInstance(list.get(i))) return i;
        return -1;
    }
}
