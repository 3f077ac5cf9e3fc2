package dev.ragdesk.engine;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.engine.remote.RemoteWorker;
import dev.ragdesk.models.GgufHeader;
import dev.ragdesk.process.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Owns the single active model. Each model lives in its own worker process and a swap ends
 * that process before the next model is loaded, so at most one process ever holds a model:
 * java-llama.cpp's close() does not free memory (upstream #102), process exit does.
 *
 * <p>To keep JVM start-up off the swap path, the host can keep one pre-started worker that has
 * loaded the native library but no model; it becomes the next model's worker.
 *
 * <p>Methods block and must not be called on a UI thread; events arrive on engine threads.
 */
public final class ModelHost implements PromptModel, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelHost.class);

    /** Timings and limits; defaults suit interactive use. */
    /** @param idleUnload how long a loaded model may go unused before its process ends; zero: never */
    public record Options(boolean prestart, Duration startTimeout, Duration loadTimeout, Duration stopTimeout, Duration idleUnload) {
        public static Options defaults() {
            return new Options(true, Duration.ofSeconds(60), Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ZERO);
        }

        public Options withPrestart(boolean on) { return new Options(on, startTimeout, loadTimeout, stopTimeout, idleUnload); }

        public Options withIdleUnload(Duration idle) { return new Options(prestart, startTimeout, loadTimeout, stopTimeout, idle); }
    }

    private record Active(Worker worker, ActiveModel model) {}

    private final Launcher launcher;
    private final String engineWhy;
    private final AutoLayers autoLayers;
    private final Consumer<EngineEvent> events;
    private final Options options;
    private final AtomicInteger ids = new AtomicInteger();
    private final AtomicLong requestIds = new AtomicLong();
    private final Object lock = new Object();

    private Active active;                 // guarded by lock; published as {@link #snapshot}
    private ModelRequest lastRequest;      // guarded by lock: what to reload after a crash
    private Worker spare;           // guarded by lock
    private Generation running;            // guarded by lock
    private boolean closed;                // guarded by lock
    /** What {@link #current()} returns: replaced whole on every change, so readers never wait for a load. */
    private volatile Optional<ActiveModel> snapshot = Optional.empty();
    /** The load in progress, so that another thread can abandon it; null between loads. */
    private volatile LoadAttempt loading;
    /** True from the start of {@link #activate} to its end: a cancel then abandons whatever load it reaches. */
    private volatile boolean activating;
    private volatile boolean cancelRequested;
    /** Ends an unused model's process after {@link Options#idleUnload}; null when that is zero (never). */
    private final ScheduledExecutorService idleTimer;
    /** The pending idle check, replaced on every use; not under {@link #lock}, which a load holds for minutes. */
    private final AtomicReference<ScheduledFuture<?>> idleCheck =
            new AtomicReference<>();

    /** One worker loading one model; cancelling kills the worker, which fails the load at once. */
    private static final class LoadAttempt {
        final Worker worker;
        volatile boolean cancelled;

        LoadAttempt(Worker worker) { this.worker = worker; }
    }

    /** A load abandoned by {@link #cancelLoad()}: no model is active afterwards, and none is restored. */
    public static final class LoadCancelled extends RagdeskException {
        LoadCancelled(String what) { super("cancelled while loading " + what); }
    }

    /** GPU layers for a model about to load, from its header (already read, so not read twice per swap). */
    @FunctionalInterface
    public interface AutoLayers {
        int layersFor(Path model, GgufHeader header);
    }

    public ModelHost(Launcher launcher, Consumer<EngineEvent> events, Options options) {
        this(launcher, events, options, launcher.kind(), (path, header) -> 0);
    }

    /**
     * @param engineWhy  which engine runs the models and why, for status
     * @param autoLayers GPU layers for a model file, asked at load time for requests with {@link ModelRequest#AUTO_LAYERS}
     */
    public ModelHost(Launcher launcher, Consumer<EngineEvent> events, Options options, String engineWhy,
                     AutoLayers autoLayers) {
        this.engineWhy = engineWhy;
        this.autoLayers = autoLayers;
        this.launcher = launcher;
        this.events = events;
        this.options = options;
        this.idleTimer = options.idleUnload().isZero() || options.idleUnload().isNegative() ? null
                : Executors.newSingleThreadScheduledExecutor(Threads.daemon("model-idle-unload"));
    }

    /** A use of the model: the idle clock starts again. */
    private void touched() {
        if (idleTimer == null) return;
        var next = idleTimer.schedule(this::unloadIfIdle, options.idleUnload().toMillis(), TimeUnit.MILLISECONDS);
        var previous = idleCheck.getAndSet(next);
        if (previous != null) previous.cancel(false);
    }

    /**
     * On a shared GPU server a model that nobody asks keeps its VRAM from everyone else's jobs
     * (Ollama's keep_alive, llama-swap's ttl): its process ends, and the next question loads it
     * again. A remote endpoint holds nothing here, but its connections are closed all the same.
     */
    private void unloadIfIdle() {
        try {
            unloadNowIfIdle();
        } catch (RuntimeException e) {
            // a scheduled task's exception would vanish into its future: the model stays loaded, and the log says why
            log.error("unloading the idle model failed", e);
        }
    }

    private void unloadNowIfIdle() {
        synchronized (lock) {
            if (closed || active == null) return;
            if (running != null && !running.result().isDone()) {
                touched(); // still answering (a long one): look again later
                return;
            }
            var role = active.model.role();
            log.info("unloading the {} model after {} unused", role, options.idleUnload());
            stopActive();
            lastRequest = null;
            if (spare != null) spare.shutdown(options.stopTimeout()); // a pre-started worker is memory too
            spare = null;
            events.accept(new EngineEvent.Unloaded(role, true));
        }
    }

    /** The active model; never waits, even while a load holds the host for minutes. */
    public Optional<ActiveModel> current() {
        return snapshot;
    }

    /**
     * Abandons the load in progress, if any, by killing the worker that is loading; returns at
     * once. The blocked {@link #activate} then throws {@link LoadCancelled}. True if a load was running.
     */
    public boolean cancelLoad() {
        if (!activating) return false;
        cancelRequested = true; // a load not yet begun sees this and is abandoned as it starts
        var attempt = loading;
        if (attempt != null) {
            attempt.cancelled = true;
            attempt.worker.kill();
        }
        return true;
    }

    /**
     * Readies worker start-up off the swap path: records the workers' class archive if missing
     * (in the background), and starts the pre-started worker if enabled.
     */
    public void warmUp() {
        var warming = Threads.start(() -> {
            launcher.warmUp();
            synchronized (lock) {
                if (prestarting()) prestartWorker();
            }
        }, "worker-warm-up");
    }

    /**
     * Makes {@code request} the active model: cancels any generation, ends the current worker,
     * waits for it to be gone, then loads the new model. If loading fails and another model was
     * active, that one is loaded again and the exception says both things.
     */
    public ActiveModel activate(ModelRequest request) throws RagdeskException {
        synchronized (lock) {
            ensureOpen();
            if (active != null && active.model.request().equals(request) && active.worker.isAlive()) return active.model;
            activating = true;
            try {
                var model = swapTo(request);
                touched();
                return model;
            } finally {
                activating = false;
                cancelRequested = false;
            }
        }
    }

    private ActiveModel swapTo(ModelRequest request) throws RagdeskException {
        var previous = active != null ? active.model.request() : null;
        // a file that is not a usable GGUF fails the swap here, with the current model still loaded
        var header = headerOf(request);
        long stopMs = stopActive();
        events.accept(new EngineEvent.Loading(request.role(), request.displayName()));
        try {
            return load(request, stopMs, header);
        } catch (LoadCancelled cancelled) {
            lastRequest = null;
            events.accept(new EngineEvent.Unloaded(request.role(), false));
            throw cancelled;
        } catch (RagdeskException failure) {
            events.accept(new EngineEvent.Failed(request.role(), failure.getMessage()));
            if (previous == null || previous.equals(request)) throw failure;
            ActiveModel restored;
            try {
                restored = load(previous, 0, headerOf(previous));
            } catch (RagdeskException restoreFailure) {
                events.accept(new EngineEvent.Failed(previous.role(), restoreFailure.getMessage()));
                throw new RagdeskException(failure.getMessage() + "; reloading the previous model failed too: "
                        + restoreFailure.getMessage(), failure);
            }
            throw new RagdeskException(failure.getMessage() + "; the " + previous.role() + " model "
                    + restored.displayName() + " is loaded again", failure);
        }
    }

    /** Ends the active worker, freeing its memory. */
    public void unload() {
        synchronized (lock) {
            var role = active != null ? active.model.role() : null;
            stopActive();
            lastRequest = null;
            if (role != null) events.accept(new EngineEvent.Unloaded(role, false));
        }
    }

    /**
     * Starts a completion on the active model; tokens go to {@code onToken} and to the event
     * listener. After a worker crash, the last model is loaded again first.
     */
    public Generation generate(GenerateRequest request, Consumer<String> onToken) throws RagdeskException {
        synchronized (lock) {
            var worker = workerForUse();
            var role = active.model.role();
            if (running != null && !running.result().isDone()) running.cancel();
            var id = "g" + ids.incrementAndGet();
            var result = new CompletableFuture<GenerationResult>();
            var text = new StringBuilder();
            var pieces = new AtomicInteger();
            var cancelled = new AtomicBoolean();
            var firstTokenMs = new AtomicLong(-1);
            long t0 = System.nanoTime();

            Consumer<Protocol.Event> sink = event -> {
                if (cancelled.get()) return;
                if (event instanceof Protocol.Token t) {
                    firstTokenMs.compareAndSet(-1, millisSince(t0));
                    pieces.incrementAndGet();
                    synchronized (text) { text.append(t.text()); }
                    onToken.accept(t.text());
                    events.accept(new EngineEvent.Token(id, t.text()));
                } else if (event instanceof Protocol.Done d) {
                    worker.endStream(id);
                    finish(id, result, new GenerationResult(textOf(text), d.tokens(), d.reason(), firstTokenMs.get(), millisSince(t0)));
                } else if (event instanceof Protocol.Error e) {
                    worker.endStream(id);
                    // A process that died under the answer is told in the crash's own words, once its
                    // exit is known: the stream usually breaks a moment before the exit is reaped. A
                    // live worker's error (a refused request) waits a quarter second for that, no more.
                    var gone = worker.exited().isDone() ? worker.exited() : worker.exited().applyToEither(
                            CompletableFuture.supplyAsync(() -> (Integer) null, CompletableFuture.delayedExecutor(250, TimeUnit.MILLISECONDS)),
                            c -> c);
                    gone.whenComplete((code, ignored) -> result.completeExceptionally(new RagdeskException(
                            code != null && !worker.isStopping() ? new EngineEvent.WorkerCrashed(role, WorkerProcess.describeExit(code)).line()
                                    : e.message() + "; ask again")));
                }
            };
            Runnable cancel = () -> {
                if (result.isDone() || !cancelled.compareAndSet(false, true)) return;
                worker.send(new Protocol.Cancel(id));
                worker.endStream(id);
                finish(id, result, new GenerationResult(textOf(text), pieces.get(), "cancelled", firstTokenMs.get(), millisSince(t0)));
            };
            var generation = new Generation(id, result, cancel);
            running = generation;
            touched();
            result.whenComplete((r, e) -> touched());
            worker.stream(new Protocol.Generate(id, request.prompt(), request.maxTokens(), request.temperature(),
                    request.seed(), request.stop(), request.messages()), sink);
            return generation;
        }
    }

    @Override
    public int countTokens(String text) throws RagdeskException {
        var reply = ask(id -> new Protocol.Tokenize(id, text));
        return ((Protocol.Tokens) reply).count();
    }

    @Override
    public String applyTemplate(String system, List<ChatMessage> messages) throws RagdeskException {
        var reply = ask(id -> new Protocol.ApplyTemplate(id, system, messages));
        return ((Protocol.Template) reply).prompt();
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) return;
            closed = true;
            if (idleTimer != null) idleTimer.shutdownNow();
            stopActive();
            if (spare != null) spare.shutdown(options.stopTimeout());
            spare = null;
            launcher.close();
        }
    }

    private Protocol.Event ask(Function<String, Protocol.Request> build) throws RagdeskException {
        Worker worker;
        synchronized (lock) {
            worker = workerForUse();
        }
        var id = "r" + requestIds.incrementAndGet();
        try {
            var reply = worker.ask(id, build.apply(id)).get(options.loadTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (reply instanceof Protocol.Error e) throw new RagdeskException(e.message());
            return reply;
        } catch (ExecutionException e) {
            throw new RagdeskException(String.valueOf(e.getCause().getMessage()), e.getCause());
        } catch (TimeoutException e) {
            throw new RagdeskException("the model worker did not answer within " + options.loadTimeout().toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RagdeskException("interrupted", e);
        }
    }

    /** The active worker, reloading the last model if its worker crashed. */
    private Worker workerForUse() throws RagdeskException {
        ensureOpen();
        if (active != null && active.worker.isAlive()) return active.worker;
        if (active == null && lastRequest == null) {
            throw new RagdeskException("no model is loaded; choose a mode (rag or chat) first");
        }
        var reload = active != null ? active.model.request() : lastRequest;
        setActive(null);
        load(reload, 0, headerOf(reload));
        return active.worker;
    }

    /** The model file's header, read for a precise reason before any process starts; null for a remote model. */
    private static GgufHeader headerOf(ModelRequest request) throws RagdeskException {
        return request.isRemote() ? null : GgufHeader.read(request.path());
    }

    private ActiveModel load(ModelRequest request, long stopMs, GgufHeader header) throws RagdeskException {
        long t0 = System.nanoTime();
        Worker worker;
        boolean prestarted = false;
        if (request.isRemote()) {
            log.info("using {} model {} at {}", request.role(), request.remote().model(), request.remote().endpoint());
            worker = new RemoteWorker(request.remote()); // nothing runs here: no memory, no process
        } else {
            log.info("loading {} model {} ({}, {} tensors) from {}", request.role(), request.displayName(),
                    header.architecture(), header.tensors().size(), request.path());
            prestarted = spare != null && spare.isAlive();
            worker = prestarted ? spare : startWorker();
            spare = null;
        }
        var attempt = new LoadAttempt(worker);
        loading = attempt;
        if (cancelRequested) {
            attempt.cancelled = true;
            worker.kill();
        }
        try {
            awaitQuietly(worker.ready(), options.startTimeout(), worker, "start");
            long spawnMs = millisSince(t0);
            // planned now, with the previous model gone, so its memory counts as free
            var resolved = request.gpuLayers() == ModelRequest.AUTO_LAYERS && !request.isRemote()
                    ? request.withGpuLayers(autoLayers.layersFor(request.path(), header)) : request;
            var what = request.isRemote() ? "use " + request.remote().model() + " at " + request.remote().endpoint()
                    : "load " + request.path().getFileName();
            var loaded = awaitQuietly(worker.load(resolved.toLoad()), options.loadTimeout(), worker, what);
            if (attempt.cancelled) throw new LoadCancelled(request.displayName());
            var model = new ActiveModel(request, resolved.gpuLayers(), fileSize(request), worker.pid(), stopMs, spawnMs, loaded.loadMs(), prestarted);
            setActive(new Active(worker, model));
            lastRequest = request;
            watchForCrash(worker, model);
            events.accept(new EngineEvent.Loaded(model));
            if (prestarting()) prestartWorker();
            return model;
        } catch (RagdeskException e) {
            worker.shutdown(options.stopTimeout());
            if (attempt.cancelled && !(e instanceof LoadCancelled)) throw new LoadCancelled(request.displayName());
            throw e;
        } finally {
            loading = null;
        }
    }

    private void setActive(Active next) {
        active = next;
        snapshot = Optional.ofNullable(next).map(Active::model);
    }

    private <T> T awaitQuietly(CompletableFuture<T> future, Duration timeout, Worker worker, String what)
            throws RagdeskException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            worker.exited().completeOnTimeout(-1, 2, TimeUnit.SECONDS).join(); // let stderr drain for the diagnosis
            var diagnosis = worker.diagnosis();
            var reason = diagnosis.isEmpty() ? String.valueOf(e.getCause().getMessage()) : diagnosis;
            throw new RagdeskException("could not " + what + ": " + reason, e.getCause());
        } catch (TimeoutException e) {
            throw new RagdeskException("could not " + what + " within " + timeout.toSeconds() + " s; see .data/logs/ragdesk.log");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RagdeskException("interrupted while trying to " + what, e);
        }
    }

    private void watchForCrash(Worker worker, ActiveModel model) {
        worker.exited().thenAccept(code -> {
            if (worker.isStopping()) return;
            var how = WorkerProcess.describeExit(code);
            log.error("{} worker {} crashed: {}", model.role(), worker.pid(), how);
            synchronized (lock) {
                if (active != null && active.worker == worker) setActive(null);
            }
            events.accept(new EngineEvent.WorkerCrashed(model.role(), how));
        });
    }

    /** Ends the active worker and returns how long that took. */
    private long stopActive() {
        if (running != null) running.cancel();
        running = null;
        if (active == null) return 0;
        long t0 = System.nanoTime();
        active.worker.shutdown(options.stopTimeout());
        setActive(null);
        return millisSince(t0);
    }

    private boolean prestarting() {
        return options.prestart() && launcher.prestarts();
    }

    /** Which engine runs the models: "jvm" or "llama-server". */
    public String engineKind() {
        return launcher.kind();
    }

    /** What they compute on: "cpu", "cuda13", "vulkan". */
    public String computesOn() {
        return launcher.computesOn();
    }

    /** Which engine and why, in words: "llama-server b1 from PATH (/usr/bin/llama-server)". */
    public String engineWhy() {
        return engineWhy;
    }

    private void prestartWorker() {
        if (closed || (spare != null && spare.isAlive())) return;
        try {
            spare = startWorker();
        } catch (RagdeskException e) {
            log.warn("could not pre-start a worker: {}", e.getMessage());
        }
    }

    private Worker startWorker() throws RagdeskException {
        try {
            return launcher.start();
        } catch (IOException e) {
            throw new RagdeskException("could not start a model worker (" + e.getMessage() + "); is java on the PATH?", e);
        }
    }

    /**
     * Ends a generation once (its last token and a cancel may race here): the event first, then
     * the future, so whoever waited on the future has always seen the event too.
     */
    private void finish(String id, CompletableFuture<GenerationResult> result, GenerationResult r) {
        synchronized (result) {
            if (result.isDone()) return;
            events.accept(new EngineEvent.GenerationDone(id, r));
            result.complete(r);
        }
    }

    private void ensureOpen() throws RagdeskException {
        if (closed) throw new RagdeskException("the model host is closed");
    }

    private static String textOf(StringBuilder text) {
        synchronized (text) { return text.toString(); }
    }

    private static long fileSize(ModelRequest request) {
        try {
            return request.isRemote() ? -1 : Files.size(request.path());
        } catch (IOException e) {
            return -1;
        }
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
