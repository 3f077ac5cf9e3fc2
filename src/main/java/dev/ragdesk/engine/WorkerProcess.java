package dev.ragdesk.engine;

import dev.ragdesk.process.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The host's side of one worker process: writes requests to its stdin, reads events from its
 * stdout on a reader thread, and files its stderr (the worker's and llama.cpp's log) under the
 * log. When the process ends, everything still waiting on it fails with {@link WorkerGone}.
 */
final class WorkerProcess implements Worker {
    private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);
    private static final Logger nativeLog = LoggerFactory.getLogger("llama.cpp");
    private static final Logger workerLog = LoggerFactory.getLogger("worker");

    /** Thrown into every pending future when the process has ended. */
    static final class WorkerGone extends RuntimeException {
        final int exitCode;

        WorkerGone(int exitCode, String message) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }
    }

    private final Process process;
    private final Writer stdin;
    private final CompletableFuture<Protocol.Ready> ready = new CompletableFuture<>();
    private final CompletableFuture<Protocol.Loaded> loaded = new CompletableFuture<>();
    private final Map<String, CompletableFuture<Protocol.Event>> replies = new ConcurrentHashMap<>();
    private final Map<String, Consumer<Protocol.Event>> streams = new ConcurrentHashMap<>();
    private final LogTail stderrTail = new LogTail();
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private volatile boolean stopping;

    WorkerProcess(Process process) {
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Threads.start(this::readEvents, "worker-" + process.pid() + "-out");
        Threads.start(this::readStderr, "worker-" + process.pid() + "-err");
    }

    @Override
    public long pid() { return process.pid(); }

    @Override
    public boolean isAlive() { return process.isAlive(); }

    /** True once {@link #shutdown} was called: an exit after it is expected, not a crash. */
    @Override
    public boolean isStopping() { return stopping; }

    @Override
    public CompletableFuture<Protocol.Ready> ready() { return ready; }

    @Override
    public CompletableFuture<Integer> exited() { return exited; }

    @Override
    public CompletableFuture<Protocol.Loaded> load(Protocol.Load request) {
        send(request);
        return loaded;
    }

    /** Sends a request that is answered by one event carrying the same id. */
    @Override
    public CompletableFuture<Protocol.Event> ask(String id, Protocol.Request request) {
        var reply = new CompletableFuture<Protocol.Event>();
        replies.put(id, reply);
        reply.whenComplete((r, e) -> replies.remove(id));
        send(request);
        if (!process.isAlive()) reply.completeExceptionally(gone());
        return reply;
    }

    /** Sends a generate request; {@code sink} receives its token, done and error events. */
    @Override
    public void stream(Protocol.Generate request, Consumer<Protocol.Event> sink) {
        streams.put(request.id(), sink);
        send(request);
    }

    @Override
    public void endStream(String id) { streams.remove(id); }

    @Override
    public void send(Protocol.Request request) {
        try {
            synchronized (stdin) {
                stdin.write(Protocol.encode(request));
                stdin.write('\n');
                stdin.flush();
            }
        } catch (IOException e) {
            log.debug("worker {} did not take a request: {}", pid(), e.toString());
        }
    }

    /**
     * Ends the worker and returns once the process is gone, since only then is its memory free.
     * The worker is told why (it logs it), then killed: it holds nothing that needs an orderly
     * exit, and SIGKILL frees a loaded model in about 10 ms where the JVM's own exit with
     * llama.cpp loaded takes about 330 ms (measured on stories260K, 2 cores).
     */
    /** Kills the worker without waiting for it; {@link #exited()} completes once it is gone. */
    @Override
    public void kill() {
        stopping = true;
        process.destroyForcibly();
    }

    @Override
    public void shutdown(Duration timeout) {
        stopping = true;
        send(new Protocol.Shutdown());
        try {
            stdin.close();
        } catch (IOException ignored) {
            // A broken pipe means the worker is already going.
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.error("worker {} still running {} ms after SIGKILL", pid(), timeout.toMillis());
            }
            exited.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("worker {} exit bookkeeping: {}", pid(), e.toString());
        }
    }

    @Override
    public String diagnosis() {
        return stderrTail.diagnosis();
    }

    private void readEvents() {
        try (var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                try {
                    var event = Protocol.decode(line, Protocol.Event.class);
                    if (event.isPresent()) dispatch(event.get());
                    else if (!line.isBlank()) nativeLog.info("[{} stdout] {}", pid(), line);
                } catch (Protocol.ProtocolException e) {
                    log.error("worker {}: {}", pid(), e.getMessage());
                }
            }
        } catch (IOException e) {
            log.debug("worker {} stdout closed: {}", pid(), e.toString());
        }
        int code;
        try {
            code = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = -1;
        }
        var gone = gone(code);
        ready.completeExceptionally(gone);
        loaded.completeExceptionally(gone);
        replies.values().forEach(f -> f.completeExceptionally(gone));
        streams.values().forEach(sink -> sink.accept(new Protocol.Error("", gone.getMessage())));
        streams.clear();
        exited.complete(code);
    }

    private void dispatch(Protocol.Event event) {
        if (event instanceof Protocol.Ready r) ready.complete(r);
        else if (event instanceof Protocol.Loaded l) loaded.complete(l);
        else if (event instanceof Protocol.Token t) deliver(t.id(), t);
        else if (event instanceof Protocol.Done d) deliver(d.id(), d);
        else if (event instanceof Protocol.Tokens t) reply(t.id(), t);
        else if (event instanceof Protocol.Template t) reply(t.id(), t);
        else if (event instanceof Protocol.Error e) {
            if (e.id().isEmpty()) loaded.completeExceptionally(new IllegalStateException(e.message()));
            else if (streams.containsKey(e.id())) deliver(e.id(), e);
            else reply(e.id(), e);
        }
    }

    private void deliver(String id, Protocol.Event event) {
        var sink = streams.get(id);
        if (sink != null) sink.accept(event);
    }

    private void reply(String id, Protocol.Event event) {
        var future = replies.get(id);
        if (future != null) future.complete(event);
    }

    private void readStderr() {
        try (var reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                (LogTail.OWN_LOG_LINE.matcher(line).find() ? workerLog : nativeLog).info("[{}] {}", pid(), line);
                stderrTail.add(line);
            }
        } catch (IOException e) {
            log.debug("worker {} stderr closed: {}", pid(), e.toString());
        }
    }

    private WorkerGone gone() {
        return gone(process.isAlive() ? -1 : process.exitValue());
    }

    private WorkerGone gone(int code) {
        return new WorkerGone(code, "the model worker " + (stopping ? "was stopped" : "ended unexpectedly (" + describeExit(code) + ")"));
    }

    /** "exit code 2", or "killed by SIGKILL" for the 128+n codes a signal death reports. */
    static String describeExit(int code) {
        if (code > 128 && code < 160) {
            var names = Map.of(6, "SIGABRT", 9, "SIGKILL", 11, "SIGSEGV", 15, "SIGTERM", 7, "SIGBUS", 4, "SIGILL");
            return "killed by " + names.getOrDefault(code - 128, "signal " + (code - 128));
        }
        return "exit code " + code;
    }
}
