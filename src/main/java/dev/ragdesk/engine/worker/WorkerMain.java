package dev.ragdesk.engine.worker;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import dev.ragdesk.engine.Protocol;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A model worker: a child JVM that holds at most one model for its whole life. The host ends
 * the process to free the model, since java-llama.cpp's close() does not (upstream #102).
 * This package is the only code that touches java-llama.cpp.
 *
 * <p>Threads: the main thread reads requests from stdin, so a cancel or shutdown is seen at
 * once; model work runs on one "model" thread. Cancel sets a flag that the model thread checks
 * after each token and acts on itself, because LlamaIterator.cancel() from another thread
 * can hang the reader forever.
 */
public final class WorkerMain {

    private final PrintStream protocol;
    private final ExecutorService modelThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "model"));
    private final AtomicReference<String> cancelled = new AtomicReference<>("");
    private volatile LlamaModel model;

    private WorkerMain(PrintStream protocol) {
        this.protocol = protocol;
    }

    public static void main(String[] args) throws Exception {
        // from main(), not from the JVM's start: asking JMX for that loaded ~70 ms of classes on
        // every worker start, and the OS's process start time is only good to a second
        long started = System.currentTimeMillis();
        // Protocol lines own the real stdout. Anything else that prints to System.out (the
        // native loader's "Extracted ..." line, for one) goes to stderr, and from there to the log.
        var protocol = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        ignoreTerminalInterrupt();
        exitWhenParentDies();

        var worker = new WorkerMain(protocol);
        // Load the native library now, so that a pre-started worker has paid for it before a swap.
        // llama.cpp logs to stderr, which the host files under the "llama.cpp" logger; in 4.2.0
        // LlamaModel.setLogger receives nothing from model loading, so it is not used.
        Class.forName(LlamaModel.class.getName(), true, WorkerMain.class.getClassLoader());
        worker.send(new Protocol.Ready(ProcessHandle.current().pid(), System.currentTimeMillis() - started));
        worker.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
    }

    /**
     * Ctrl-C in a terminal sends SIGINT to the whole foreground process group, this worker
     * included; the host decides what Ctrl-C means (cancel an answer), so the worker ignores it.
     */
    @SuppressWarnings("removal")
    private static void ignoreTerminalInterrupt() {
        try {
            Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException ignored) {
            // no SIGINT on this platform
        }
    }

    /** The host may die without closing our stdin (kill -9 of a whole process group aside). */
    private static void exitWhenParentDies() {
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            WorkerLog.warn("host process " + parent.pid() + " is gone; exiting");
            Runtime.getRuntime().halt(3);
        }));
    }

    private void serve(BufferedReader in) throws Exception {
        String line;
        while ((line = in.readLine()) != null) {
            var request = Protocol.decode(line, Protocol.Request.class);
            if (request.isEmpty()) continue;
            var r = request.get();
            if (r instanceof Protocol.Cancel c) cancelled.set(c.id());
            else if (r instanceof Protocol.Shutdown) halt(0, "shutdown requested");
            else if (r instanceof Protocol.Load l) modelThread.execute(() -> load(l));
            else if (r instanceof Protocol.Generate g) modelThread.execute(() -> generate(g));
            else if (r instanceof Protocol.Tokenize t) modelThread.execute(() -> tokenize(t));
            else if (r instanceof Protocol.ApplyTemplate a) modelThread.execute(() -> applyTemplate(a));
        }
        halt(0, "stdin closed: the host is gone");
    }

    private void load(Protocol.Load request) {
        if (model != null) {
            send(new Protocol.Error("", "this worker already holds a model; start a new worker for another"));
            return;
        }
        long t0 = System.nanoTime();
        try {
            var params = new ModelParameters()
                    .setModel(request.path())
                    .setCtxSize(request.ctxSize())
                    .setGpuLayers(request.gpuLayers())
                    .setThreads(request.threads())
                    .setThreadsBatch(request.threads());
            if (request.flashAttn()) params.enableFlashAttn();
            model = new LlamaModel(params);
            send(new Protocol.Loaded(millisSince(t0)));
        } catch (RuntimeException | Error e) {
            WorkerLog.error("loading " + request.path() + " failed", e);
            send(new Protocol.Error("", String.valueOf(e.getMessage())));
            // A failed load can leave native state half-built: this worker is done.
            halt(2, "model load failed");
        }
    }

    private void generate(Protocol.Generate request) {
        if (!requireModel(request.id())) return;
        long t0 = System.nanoTime();
        long firstTokenMs = -1;
        int count = 0; // streamed pieces: one per token, except where bytes merge into one character
        var reason = "stop";
        try {
            var params = new InferenceParameters(request.prompt())
                    .setNPredict(request.maxTokens())
                    .setTemperature((float) request.temperature())
                    .setSeed(request.seed());
            if (request.stop() != null && !request.stop().isEmpty()) {
                params.setStopStrings(request.stop().toArray(String[]::new));
            }
            LlamaIterator tokens = model.generate(params).iterator();
            while (tokens.hasNext()) {
                var piece = tokens.next().text;
                if (!piece.isEmpty()) {
                    if (firstTokenMs < 0) firstTokenMs = millisSince(t0);
                    count++;
                    send(new Protocol.Token(request.id(), piece));
                }
                if (request.id().equals(cancelled.get())) {
                    tokens.cancel(); // from this, the consuming thread: the only safe place
                    reason = "cancelled";
                    break;
                }
            }
            if (!"cancelled".equals(reason) && count >= request.maxTokens()) reason = "length";
            send(new Protocol.Done(request.id(), count, reason, firstTokenMs, millisSince(t0)));
        } catch (RuntimeException e) {
            WorkerLog.error("generation " + request.id() + " failed", e);
            send(new Protocol.Error(request.id(), "generation failed: " + e.getMessage()));
        }
    }

    private void tokenize(Protocol.Tokenize request) {
        if (!requireModel(request.id())) return;
        try {
            send(new Protocol.Tokens(request.id(), model.encode(request.text()).length));
        } catch (RuntimeException e) {
            send(new Protocol.Error(request.id(), "tokenize failed: " + e.getMessage()));
        }
    }

    private void applyTemplate(Protocol.ApplyTemplate request) {
        if (!requireModel(request.id())) return;
        try {
            var messages = request.messages().stream()
                    .map(m -> new Pair<>(m.role(), m.content()))
                    .toList();
            var params = new InferenceParameters("").setMessages(request.system(), messages);
            send(new Protocol.Template(request.id(), model.applyTemplate(params)));
        } catch (RuntimeException e) {
            send(new Protocol.Error(request.id(), "chat template failed: " + e.getMessage()));
        }
    }

    private boolean requireModel(String id) {
        if (model != null) return true;
        send(new Protocol.Error(id, "no model is loaded in this worker"));
        return false;
    }

    private synchronized void send(Object event) {
        protocol.print(Protocol.encode(event));
        protocol.print('\n');
        protocol.flush();
    }

    private void halt(int status, String why) {
        WorkerLog.info("worker exiting (" + why + ")");
        System.err.flush();
        modelThread.shutdownNow();
        try {
            modelThread.awaitTermination(0, TimeUnit.MILLISECONDS);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
        // halt, not exit: java-llama.cpp leaves a non-daemon native thread behind (upstream #116).
        Runtime.getRuntime().halt(status);
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
