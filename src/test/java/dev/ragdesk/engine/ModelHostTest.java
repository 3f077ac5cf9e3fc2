package dev.ragdesk.engine;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.process.JvmCommand;
import dev.ragdesk.testing.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static dev.ragdesk.engine.HostHarness.greedy;
import static dev.ragdesk.engine.HostHarness.request;
import static org.junit.jupiter.api.Assertions.*;

/** The model host against real java-llama.cpp workers on a generated GGUF. */
class ModelHostTest {

    @TempDir Path dir;
    private HostHarness h;

    @AfterEach
    void closeHost() {
        if (h != null) h.close();
        assertEquals(0, WorkerCensus.now().workers(), "closing the host leaves no worker behind");
    }

    @Test
    void loadsAndStreamsAGeneration() throws Exception {
        h = new HostHarness(dir, false);
        var model = h.host.activate(request("chat", h.tinyModel("a.gguf", 1)));
        assertEquals("chat", model.role());
        assertTrue(model.pid() > 0 && model.fileBytes() > 0);
        assertInstanceOf(EngineEvent.Loading.class, h.history.get(0));
        assertInstanceOf(EngineEvent.Loaded.class, h.history.get(1));

        var streamed = new StringBuilder();
        var firstSeen = new AtomicLong();
        long t0 = System.nanoTime();
        var result = h.host.generate(greedy("Once upon a time", 12), piece -> {
            firstSeen.compareAndSet(0, System.nanoTime());
            streamed.append(piece);
        }).await();
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(12, result.tokens());
        assertEquals("length", result.reason());
        assertEquals(streamed.toString(), result.text());
        assertFalse(result.text().isBlank());
        // the host's clock against this test's own: the first token came after the request and before the end
        long seenMs = (firstSeen.get() - t0) / 1_000_000;
        assertTrue(result.firstTokenMs() >= 0 && result.firstTokenMs() <= seenMs + 1,
                "first token at " + result.firstTokenMs() + " ms, seen here at " + seenMs + " ms");
        assertTrue(result.firstTokenMs() <= result.totalMs() && result.totalMs() <= wallMs + 1,
                "first " + result.firstTokenMs() + " ≤ total " + result.totalMs() + " ≤ wall " + wallMs);
        assertTrue(result.totalMs() > result.firstTokenMs(), "eleven more tokens took time after the first");
        long tokenEvents = h.history.stream().filter(e -> e instanceof EngineEvent.Token).count();
        assertEquals(12, tokenEvents, "one Token event per streamed piece");
        assertInstanceOf(EngineEvent.GenerationDone.class, h.history.get(h.history.size() - 1));
    }

    /** [engine].idle_minutes: an unused model's process ends, and the next question loads it again. */
    @Test
    void anUnusedModelIsUnloadedAndTheNextQuestionLoadsItAgain() throws Exception {
        h = new HostHarness(dir, ModelHost.Options.defaults().withPrestart(false).withIdleUnload(Duration.ofMillis(300)));
        var tiny = h.tinyModel("a.gguf", 1);
        var first = h.host.activate(request("chat", tiny));
        assertEquals(3, h.host.generate(greedy("Once", 3), s -> {}).await().tokens());
        var unloaded = h.await(EngineEvent.Unloaded.class);
        assertTrue(unloaded.idle(), "said to be an idle unload: " + unloaded);
        assertTrue(h.host.current().isEmpty(), "no model is active");
        var process = ProcessHandle.of(first.pid());
        if (process.isPresent()) process.get().onExit().get(10, TimeUnit.SECONDS);
        assertEquals(0, WorkerCensus.now().workers(), "the worker's process ended, and its memory with it");

        var again = h.host.activate(request("chat", tiny));
        assertNotEquals(first.pid(), again.pid(), "a new worker");
        assertEquals(3, h.host.generate(greedy("Once", 3), s -> {}).await().tokens(), "and it answers");
    }

    @Test
    void greedyGenerationIsRepeatable() throws Exception {
        h = new HostHarness(dir, false);
        h.host.activate(request("chat", h.tinyModel("a.gguf", 1)));
        var first = h.host.generate(greedy("the little dog", 10), s -> {}).await();
        var second = h.host.generate(greedy("the little dog", 10), s -> {}).await();
        assertEquals(first.text(), second.text());
    }

    @Test
    void cancelStopsTokensAndTheModelStaysUsable() throws Exception {
        h = new HostHarness(dir, false);
        h.host.activate(request("chat", h.tinyModel("a.gguf", 1), 2048));
        var afterCancel = new AtomicInteger();
        var fiveTokens = new CountDownLatch(5);
        var cancelled = new AtomicBoolean();
        var generation = h.host.generate(greedy("Once upon a time", 1500), piece -> {
            if (cancelled.get()) afterCancel.incrementAndGet();
            fiveTokens.countDown();
        });
        assertTrue(fiveTokens.await(30, TimeUnit.SECONDS), "tokens stream");
        cancelled.set(true);
        generation.cancel();
        var result = generation.await();
        assertTrue(result.cancelled());
        assertTrue(result.tokens() >= 5 && result.tokens() < 1500, "stopped early: " + result.tokens());
        assertEquals(0, afterCancel.get(), "no token is delivered after cancel()");

        var next = h.host.generate(greedy("the cat", 6), s -> {}).await();
        assertEquals(6, next.tokens(), "the same worker generates again");
        assertEquals("length", next.reason());
    }

    @Test
    void twentySwapsNeverHoldTwoModelsAndDoNotGrowTheHost() throws Exception {
        // The host runs in a child JVM with a small heap and the serial collector, so its RSS is
        // its own and not G1 growing regions (measured: 4-6 MB over 20-60 swaps with Serial,
        // up to 28 MB with G1 expanding its heap).
        var result = new ChildJvm(dir).option("-Xmx96m").option("-XX:+UseSerialGC")
                .run(Duration.ofMinutes(3), SwapProbe.class, dir.toString(), "20");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("20", result.lastLineStartingWith("distinct_pids="), "every swap ran in a fresh worker process");
        assertEquals("1", result.lastLineStartingWith("one_holder_after_each_swap="),
                "exactly one process maps a model right after each swap");
        assertTrue(Integer.parseInt(result.lastLineStartingWith("samples=")) > 20, "the sampler ran");
        assertEquals("1", result.lastLineStartingWith("max_holding="), "never two processes holding a model");
        assertTrue(Integer.parseInt(result.lastLineStartingWith("max_workers=")) <= 2,
                "one model worker plus at most one pre-started idle worker");
        long growth = Long.parseLong(result.lastLineStartingWith("rss_growth_kib="));
        assertTrue(growth < 30 * 1024, "host RSS grew by " + growth + " KiB over 20 swaps");
        assertTrue(Integer.parseInt(result.lastLineStartingWith("prestarted=")) >= 19, "swaps use the pre-started worker");
    }

    @Test
    void killedWorkerIsReportedAndTheNextRequestRecovers() throws Exception {
        h = new HostHarness(dir, false);
        h.host.activate(request("chat", h.tinyModel("a.gguf", 1), 2048));
        var started = new CountDownLatch(3);
        var generation = h.host.generate(greedy("Once upon a time", 1500), s -> started.countDown());
        assertTrue(started.await(30, TimeUnit.SECONDS));
        long pid = h.host.current().orElseThrow().pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();

        var crash = h.await(EngineEvent.WorkerCrashed.class);
        assertEquals("chat", crash.role());
        assertEquals("killed by SIGKILL", crash.how());
        var failure = assertThrows(RagdeskException.class, generation::await);
        assertEquals("the chat model's process ended unexpectedly (killed by SIGKILL); ask again to reload it", failure.getMessage());
        assertEquals(crash.line(), failure.getMessage(), "the crash and the answer it ended are told in one wording");
        assertTrue(h.host.current().isEmpty());

        var next = h.host.generate(greedy("the cat", 5), s -> {}).await();
        assertEquals(5, next.tokens(), "the next request reloads the model in a new worker");
        assertNotEquals(pid, h.host.current().orElseThrow().pid());
    }

    @Test
    void missingFileIsRejectedBeforeAnyWorkerStarts() throws Exception {
        h = new HostHarness(dir, false);
        var e = assertThrows(RagdeskException.class, () -> h.host.activate(request("rag", dir.resolve("nope.gguf"))));
        assertEquals("model file not found: " + dir.resolve("nope.gguf"), e.getMessage());
        assertEquals(0, WorkerCensus.now().workers());
    }

    @Test
    void nonGgufFileIsNamedAsSuch() throws Exception {
        h = new HostHarness(dir, false);
        var file = Files.writeString(dir.resolve("notes.gguf"), "these are my notes, not a model");
        var e = assertThrows(RagdeskException.class, () -> h.host.activate(request("rag", file)));
        assertTrue(e.getMessage().startsWith("not a GGUF model file (it starts with \"thes\""), e.getMessage());
    }

    @Test
    void truncatedGgufSaysDownloadAgain() throws Exception {
        h = new HostHarness(dir, false);
        var good = h.tinyModel("full.gguf", 1);
        var bytes = Files.readAllBytes(good);
        var cut = Files.write(dir.resolve("cut.gguf"), Arrays.copyOf(bytes, bytes.length / 2));
        var e = assertThrows(RagdeskException.class, () -> h.host.activate(request("rag", cut)));
        assertTrue(e.getMessage().startsWith("model file is truncated: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("download it again"), e.getMessage());
        var header = Files.write(dir.resolve("header.gguf"), Arrays.copyOf(bytes, 100));
        var e2 = assertThrows(RagdeskException.class, () -> h.host.activate(request("rag", header)));
        assertTrue(e2.getMessage().startsWith("model file is truncated inside its header"), e2.getMessage());
    }

    @Test
    void wrongArchitectureGivesLlamaCppsReasonAndHostStaysUsable() throws Exception {
        h = new HostHarness(dir, false);
        var alien = SyntheticGguf.llama().architecture("notallama").writeTo(dir.resolve("alien.gguf"));
        var e = assertThrows(RagdeskException.class, () -> h.host.activate(request("rag", alien)));
        assertTrue(e.getMessage().startsWith("could not load alien.gguf: "), e.getMessage());
        assertTrue(e.getMessage().contains("unknown model architecture: 'notallama'"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertInstanceOf(EngineEvent.Failed.class, h.history.get(h.history.size() - 1));

        h.host.activate(request("chat", h.tinyModel("good.gguf", 1)));
        assertEquals(3, h.host.generate(greedy("hi", 3), s -> {}).await().tokens());
    }

    @Test
    void failedSwapReloadsThePreviousModelAndSaysBoth() throws Exception {
        h = new HostHarness(dir, true);
        var good = h.host.activate(request("chat", h.tinyModel("good.gguf", 1)));
        var alien = SyntheticGguf.llama().architecture("notallama").writeTo(dir.resolve("alien.gguf"));
        var e = assertThrows(RagdeskException.class, () -> h.host.activate(request("rag", alien)));
        assertTrue(e.getMessage().contains("could not load alien.gguf"), e.getMessage());
        assertTrue(e.getMessage().endsWith("the chat model good is loaded again"), e.getMessage());
        var now = h.host.current().orElseThrow();
        assertEquals("chat", now.role());
        assertNotEquals(good.pid(), now.pid(), "the previous model was reloaded in a new worker");
        assertEquals(2, h.host.generate(greedy("hi", 2), s -> {}).await().tokens());
    }

    /** A file that is not a whole GGUF is refused before the loaded model is touched: no reload, same process. */
    @Test
    void aSwapToABrokenFileLeavesTheLoadedModelAlone() throws Exception {
        h = new HostHarness(dir, false);
        var good = h.host.activate(request("chat", h.tinyModel("good.gguf", 1)));
        var whole = Files.readAllBytes(h.tinyModel("other.gguf", 2));
        var cut = Files.write(dir.resolve("cut.gguf"), Arrays.copyOf(whole, whole.length / 2));
        var e = assertThrows(RagdeskException.class, () -> h.host.activate(request("rag", cut)));
        assertTrue(e.getMessage().startsWith("model file is truncated"), e.getMessage());
        var now = h.host.current().orElseThrow();
        assertEquals(good.pid(), now.pid(), "the same worker still holds the chat model");
        assertEquals(2, h.host.generate(greedy("hi", 2), s -> {}).await().tokens());
        assertTrue(h.history.stream().noneMatch(ev -> ev instanceof EngineEvent.Loading l && l.role().equals("rag")), h.history.toString());
    }

    @Test
    void tokenizeAndTemplateUseTheLoadedModel() throws Exception {
        h = new HostHarness(dir, false);
        h.host.activate(request("chat", h.tinyModel("a.gguf", 1)));
        assertTrue(h.host.countTokens("the little dog") >= 3);
        assertTrue(h.host.countTokens("the little dog and the big cat") > h.host.countTokens("the little dog"));
        var prompt = h.host.applyTemplate("be brief", List.of(ChatMessage.user("hello")));
        assertTrue(prompt.contains("<|im_start|>system\nbe brief"), "no template in the file: ChatML fallback\n" + prompt);
        assertTrue(prompt.endsWith("<|im_start|>assistant\n"), prompt);
    }

    @Test
    void unloadEndsTheWorker() throws Exception {
        h = new HostHarness(dir, false);
        var model = h.host.activate(request("chat", h.tinyModel("a.gguf", 1)));
        h.host.unload();
        assertTrue(ProcessHandle.of(model.pid()).isEmpty() || !ProcessHandle.of(model.pid()).get().isAlive());
        assertTrue(h.host.current().isEmpty());
        assertInstanceOf(EngineEvent.Unloaded.class, h.history.get(h.history.size() - 1));
        var e = assertThrows(RagdeskException.class, () -> h.host.generate(greedy("x", 1), s -> {}));
        assertTrue(e.getMessage().startsWith("no model is loaded"));
    }

    @Test
    void workerThatCannotStartIsExplainedAndTheHostRecovers() throws Exception {
        var model = new HostHarness(dir, false).tinyModel("a.gguf", 1);
        var broken = new WorkerLauncher(new JvmCommand(Path.of("/bin/false"), ""), dir.resolve("tmp"), null);
        try (var host = new ModelHost(broken, e -> {}, ModelHost.Options.defaults().withPrestart(false))) {
            var e = assertThrows(RagdeskException.class, () -> host.activate(request("chat", model)));
            assertEquals("could not start: the model worker ended unexpectedly (exit code 1)", e.getMessage());
        }
        var missingJava = new WorkerLauncher(new JvmCommand(dir.resolve("no-java"), ""), dir.resolve("tmp"), null);
        try (var host = new ModelHost(missingJava, e -> {}, ModelHost.Options.defaults().withPrestart(false))) {
            var e = assertThrows(RagdeskException.class, () -> host.activate(request("chat", model)));
            assertTrue(e.getMessage().startsWith("could not start a model worker ("), e.getMessage());
        }
    }
}
