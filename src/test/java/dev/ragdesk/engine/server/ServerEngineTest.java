package dev.ragdesk.engine.server;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.engine.ChatMessage;
import dev.ragdesk.engine.EngineEvent;
import dev.ragdesk.engine.GenerateRequest;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.engine.ModelRequest;
import dev.ragdesk.engine.WorkerCensus;
import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.testing.Fixtures;
import dev.ragdesk.testing.LlamaServerBinary;
import dev.ragdesk.testing.OtherUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/** The llama-server engine behind the same ModelHost, on a real llama-server and real GGUF files. */
@Timeout(180)
class ServerEngineTest {
    @TempDir Path dir;
    ModelHost host;
    final BlockingQueue<EngineEvent> events = new LinkedBlockingQueue<>();
    final List<EngineEvent> history = new CopyOnWriteArrayList<>();
    LlamaServers.Found server;

    @BeforeEach
    void findServer() throws Exception {
        server = LlamaServers.check(LlamaServerBinary.require(), "the test");
    }

    ServerLauncher launcher;

    ModelHost host(ServerLauncher.SocketPaths sockets) {
        launcher = new ServerLauncher(server, Accelerator.cpu("the test"), sockets);
        host = new ModelHost(launcher, e -> { events.add(e); history.add(e); },
                ModelHost.Options.defaults().withPrestart(false));
        return host;
    }

    ModelHost host() {
        return host(ServerLauncher.inFolder(dir.resolve("run")));
    }

    @AfterEach
    void close() {
        if (host != null) host.close();
    }

    static ModelRequest request(String role, Path file, int ctx) {
        return new ModelRequest(role, ModelRequest.displayNameOf(file), file, ctx, 0, 2, false);
    }

    @Test
    void streamsAGreedyAnswerOnTheFixtureModel() throws Exception {
        var model = Fixtures.require("stories260K.gguf");
        var h = host();
        var active = h.activate(request("rag", model, 1024));
        assertTrue(active.pid() > 0);
        assertEquals("llama-server", h.engineKind());
        var pieces = Collections.synchronizedList(new ArrayList<String>());
        var result = h.generate(new GenerateRequest("The little dog", 12, 0.0, 1, List.of()), pieces::add).await();
        assertEquals(String.join("", pieces), result.text(), "every token streamed, in order");
        assertTrue(result.text().startsWith(" was a little girl"), "the fixture's greedy continuation: " + result.text());
        assertEquals(12, result.tokens());
        assertEquals("length", result.reason());
        assertTrue(h.countTokens("Once upon a time") > 0);
    }

    @Test
    void chatPromptsComeFromTheModelsOwnTemplate() throws Exception {
        var model = Fixtures.require("stories260K-chat-template.gguf");
        var h = host();
        h.activate(request("chat", model, 1024));
        var prompt = h.applyTemplate("Be brief.", List.of(ChatMessage.user("hi")));
        assertTrue(prompt.contains("[INST]") && prompt.contains("Be brief.") && prompt.contains("hi"), prompt);
    }

    @Test
    void cancelStopsTheStreamAndTheSlotGoesIdle() throws Exception {
        var model = SyntheticGguf.llama().layers(4).embedding(128).writeTo(dir.resolve("long.gguf"));
        var h = host();
        h.activate(request("chat", model, 8192));
        var tokens = new AtomicInteger();
        var started = new CountDownLatch(5);
        var generation = h.generate(new GenerateRequest("Once", 8000, 0.8, 3, List.of()), t -> {
            tokens.incrementAndGet();
            started.countDown();
        });
        assertTrue(started.await(60, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        generation.cancel();
        var result = generation.await();
        int atCancel = tokens.get();
        assertEquals("cancelled", result.reason());
        var worker = launcher.lastStarted().orElseThrow();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (worker.slotBusy() && System.nanoTime() < deadline) LockSupport.parkNanos(5_000_000);
        assertFalse(worker.slotBusy(), "the server stopped generating");
        System.out.printf("cancel: slot idle %d ms after cancel%n", (System.nanoTime() - t0) / 1_000_000);
        assertEquals(atCancel, tokens.get(), "no token is delivered after the cancel");
        assertTrue(result.tokens() < 8000);
        assertEquals(5, h.generate(new GenerateRequest("Once", 5, 0.0, 1, List.of()), s -> {}).await().tokens(), "the model stays usable");
    }

    @Test
    void swapsNeverLeaveTwoServersHoldingAModel() throws Exception {
        var rag = SyntheticGguf.llama().seed(1).writeTo(dir.resolve("rag.gguf"));
        var chat = SyntheticGguf.llama().seed(2).writeTo(dir.resolve("chat.gguf"));
        var h = host();
        var samples = Collections.synchronizedList(new ArrayList<WorkerCensus.Count>());
        var sampling = new AtomicBoolean(true);
        var sampler = new Thread(() -> {
            while (sampling.get()) samples.add(WorkerCensus.now());
        });
        sampler.start();
        var pids = new HashSet<Long>();
        try {
            for (int i = 0; i < 6; i++) {
                var active = h.activate(request(i % 2 == 0 ? "rag" : "chat", i % 2 == 0 ? rag : chat, 1024));
                pids.add(active.pid());
                assertEquals(4, h.generate(new GenerateRequest("hello", 4, 0.0, 1, List.of()), s -> {}).await().tokens());
                assertEquals(1, WorkerCensus.now().holdingModel(), "one server holds the model after swap " + i);
            }
        } finally {
            sampling.set(false);
            sampler.join();
        }
        assertEquals(6, pids.size(), "each swap ended the old server and started a new one");
        assertTrue(samples.size() > 50, "the census sampled throughout: " + samples.size());
        assertEquals(1, samples.stream().mapToInt(WorkerCensus.Count::holdingModel).max().orElse(-1), "never two at once");
        h.close();
        assertEquals(0, WorkerCensus.now().workers(), "closing ends the last server");
    }

    @Test
    void aServerKilledMidAnswerIsReportedAndTheNextQuestionWorks() throws Exception {
        var model = SyntheticGguf.llama().layers(4).embedding(128).writeTo(dir.resolve("m.gguf"));
        var h = host();
        var active = h.activate(request("chat", model, 8192));
        var started = new CountDownLatch(3);
        var generation = h.generate(new GenerateRequest("Once", 8000, 0.8, 3, List.of()), t -> started.countDown());
        assertTrue(started.await(60, TimeUnit.SECONDS));
        new ProcessBuilder("kill", "-9", String.valueOf(active.pid())).start().waitFor();
        var failure = assertThrows(RagdeskException.class, generation::await);
        var crash = await(EngineEvent.WorkerCrashed.class);
        assertEquals("killed by SIGKILL", crash.how());
        assertEquals(crash.line(), failure.getMessage(), "told once, in the same words as the jvm engine's crash");
        var again = h.generate(new GenerateRequest("Once", 3, 0.0, 1, List.of()), s -> {}).await();
        assertEquals(3, again.tokens(), "reloaded and answered");
        assertNotEquals(active.pid(), h.current().orElseThrow().pid());
    }

    /** Nothing is kept ready between swaps: after several, the app's children are the current server and its watchdog. */
    @Test
    void afterSwapsOnlyTheCurrentServerAndItsWatchdogRun() throws Exception {
        var h = host();
        var a = SyntheticGguf.llama().seed(1).writeTo(dir.resolve("a.gguf"));
        var b = SyntheticGguf.llama().seed(2).writeTo(dir.resolve("b.gguf"));
        for (int i = 0; i < 3; i++) {
            h.activate(request(i % 2 == 0 ? "rag" : "chat", i % 2 == 0 ? a : b, 1024));
            assertEquals(2, h.generate(new GenerateRequest("Once", 2, 0.0, 1, List.of()), t -> {}).await().tokens());
        }
        long current = h.current().orElseThrow().pid();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        var children = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        while (children.size() > 2 && System.nanoTime() < deadline) { // an ended watchdog is reaped a moment after its server
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            children = ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
        }
        var commands = children.stream().map(p -> p.info().command().orElse("?")).sorted().toList();
        assertEquals(2, children.size(), "the server and its watchdog: " + commands);
        assertTrue(children.stream().anyMatch(p -> p.pid() == current), "the current server is one of them: " + commands);
        assertTrue(WorkerCensus.arguments(current).get(0).endsWith("llama-server"), "the server runs as itself");
    }

    @Test
    void llamaCppsReasonForABadModelReachesTheUserInOneLine() throws Exception {
        var alien = SyntheticGguf.llama().architecture("notallama").writeTo(dir.resolve("alien.gguf"));
        var h = host();
        var e = assertThrows(RagdeskException.class, () -> h.activate(request("rag", alien, 1024)));
        assertTrue(e.getMessage().startsWith("could not load alien.gguf: "), e.getMessage());
        assertTrue(e.getMessage().contains("unknown model architecture: 'notallama'"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertEquals(0, WorkerCensus.now().workers(), "the failed server is gone");
    }

    /** Another process listening at the chosen address first: it gets a connection, then not one byte, and a fresh socket is used. */
    @Test
    void aProcessSquattingTheSocketIsNeverSentAByte() throws Exception {
        var model = Fixtures.require("stories260K.gguf");
        var taken = Files.createDirectories(dir.resolve("run")).resolve("llama-squatted.sock");
        var received = new ByteArrayOutputStream();
        var connections = new AtomicInteger();
        try (var squatter = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            squatter.bind(UnixDomainSocketAddress.of(taken));
            var listening = new Thread(() -> {
                try {
                    while (true) {
                        try (var c = squatter.accept()) {
                            connections.incrementAndGet();
                            var buffer = ByteBuffer.allocate(4096);
                            while (c.read(buffer) > 0) {
                                synchronized (received) { received.write(buffer.array(), 0, buffer.position()); }
                                buffer.clear();
                            }
                        }
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            listening.setDaemon(true);
            listening.start();
            var handedOut = new AtomicInteger();
            var fresh = ServerLauncher.inFolder(dir.resolve("run"));
            var h = host(() -> handedOut.getAndIncrement() == 0 ? taken : fresh.next());
            h.activate(request("rag", model, 512));
            assertEquals(2, handedOut.get(), "the taken address was given up for a second one");
            assertEquals(3, h.generate(new GenerateRequest("Once", 3, 0.0, 1, List.of()), s -> {}).await().tokens());
        }
        assertTrue(connections.get() > 0, "the test's premise: the squatter was reached");
        assertTrue(java.nio.file.Files.exists(taken), "the squatter's socket file is left to it");
        synchronized (received) {
            assertEquals(0, received.size(), "the squatter was sent: " + received.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void theServerListensOnAPrivateSocketOnlyAndWantsItsKey() throws Exception {
        var model = Fixtures.require("stories260K.gguf");
        var h = host();
        h.activate(request("rag", model, 512));
        long pid = h.current().orElseThrow().pid();
        var args = WorkerCensus.arguments(pid);
        var socket = Path.of(args.get(args.indexOf("--host") + 1));
        assertEquals(dir.resolve("run"), socket.getParent());
        assertEquals("700", OtherUser.mode(socket.getParent()), "the socket's folder is the owner's only");
        assertTrue(args.contains("--no-webui"));
        assertFalse(String.join(" ", args).contains("api-key"), "the key is not on the command line, which ps shows every user: " + args);
        assertEquals(List.of(), TcpListeners.of(pid), "llama-server listens on no TCP port");

        // an independent client, the JDK's own, with no key
        assertEquals(401, RawHttp.status(socket, "POST", "/completion", "{\"prompt\":\"x\",\"n_predict\":1}"), "no key, no answer");
        assertEquals(401, RawHttp.status(socket, "GET", "/slots", ""), "no key, no look at the slots");
        if (OtherUser.available()) {
            var other = OtherUser.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket",
                    socket.toString(), "http://localhost/health");
            // 7: curl could not connect (the folder is closed to them); 127 would mean no curl, which proves nothing
            assertEquals(7, other.exitCode(), "another user's curl: " + other.output());
        }
    }

    /** A llama-server that ignores LLAMA_API_KEY (here the real one, with the variable taken out of its environment). */
    @Test
    void aServerThatAnswersWithoutTheKeyIsRefused() throws Exception {
        var model = Fixtures.require("stories260K.gguf");
        var wrapper = dir.resolve("llama-server");
        Files.writeString(wrapper, "#!/bin/sh\nunset LLAMA_API_KEY\nexec '" + server.path() + "' \"$@\"\n");
        wrapper.toFile().setExecutable(true);
        server = LlamaServers.check(wrapper, "the test");
        var h = host();
        var e = assertThrows(RagdeskException.class, () -> h.activate(request("rag", model, 512)));
        assertTrue(e.getMessage().contains("answered without its API key"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        assertEquals(0, WorkerCensus.now().workers(), "the refused server is gone");
    }

    @Test
    void aVersionLineWithTheLoggersTimestampIsRead() throws Exception {
        // seen on CI: llama.cpp's logger put "0.00.000.377 I " before the version line
        var script = dir.resolve("llama-server-logged");
        Files.writeString(script, "#!/bin/sh\necho 'load_backend: loaded CPU backend'\n"
                + "echo '0.00.000.377 I version: 0.5.0-dev (build 1, commit de3ff81)'\n");
        script.toFile().setExecutable(true);
        assertEquals("0.5.0-dev (build 1, commit de3ff81)", LlamaServers.check(script, "[engine].llama_server").version());
    }

    @Test
    void aBinaryThatIsNotLlamaServerIsNamed() throws Exception {
        var e = assertThrows(RagdeskException.class, () -> LlamaServers.check(Path.of("/bin/echo"), "[engine].llama_server"));
        assertTrue(e.getMessage().contains("/bin/echo is not llama-server"), e.getMessage());
        var missing = assertThrows(RagdeskException.class, () -> LlamaServers.check(dir.resolve("nope"), "[engine].llama_server"));
        assertTrue(missing.getMessage().contains("does not exist; run `ragdesk engine install`"), missing.getMessage());
    }

    private <T extends EngineEvent> T await(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            var e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (type.isInstance(e)) return type.cast(e);
        }
        fail("no " + type.getSimpleName() + "; saw " + history);
        return null;
    }
}
