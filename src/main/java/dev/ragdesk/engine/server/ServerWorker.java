package dev.ragdesk.engine.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.engine.LogTail;
import dev.ragdesk.engine.OpenStreams;
import dev.ragdesk.engine.Protocol;
import dev.ragdesk.engine.Worker;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One llama-server process holding one model, as a {@link Worker}. The process starts on
 * {@link #load}: the model, context and GPU layers are command-line flags; how it is started so
 * that no other user can reach it is {@link ServerProcess}'s business. Streams come from
 * {@code /completion} as server-sent events; a cancel closes the stream, then checks that the
 * slot went idle and kills the process as the last resort.
 */
public final class ServerWorker implements Worker {
    private static final Logger log = LoggerFactory.getLogger(ServerWorker.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final int ADDRESS_TRIES = 3;

    private final Path binary;
    private final ServerLauncher.SocketPaths sockets;
    private final Executor threads;
    private final OkHttpClient base;
    private final LogTail tail = new LogTail();
    /** What the server computes on: the environment that loads its GPU backend, decided before the first start. */
    private final Accelerator accelerator;
    private final CompletableFuture<Protocol.Loaded> loaded = new CompletableFuture<>();
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    /** Streams not yet ended: a user's cancel takes one out; the server's exit fails whatever is left. */
    private final OpenStreams streams = new OpenStreams();

    private volatile ServerProcess server;
    /** The server's client, for answers: no read timeout, since a long prompt on a CPU sends nothing for a while. */
    private volatile OkHttpClient streaming;
    private volatile boolean stopping;
    /** True until the start ends, healthy or not: exits before then are the starter's to handle (a taken address is retried). */
    private volatile boolean starting = true;

    ServerWorker(Path binary, Accelerator accelerator, ServerLauncher.SocketPaths sockets, OkHttpClient base, Executor threads) {
        this.binary = binary;
        this.accelerator = accelerator;
        this.sockets = sockets;
        this.base = base;
        this.threads = threads;
    }

    @Override
    public long pid() {
        var s = server;
        return s == null ? 0 : s.pid();
    }

    @Override
    public boolean isAlive() {
        var s = server;
        return s == null ? !exited.isDone() : s.process().isAlive();
    }

    @Override
    public boolean isStopping() { return stopping; }

    @Override
    public CompletableFuture<Protocol.Loaded> load(Protocol.Load request) {
        threads.execute(named("llama-server-start", () -> start(request)));
        return loaded;
    }

    /** Starts the server, on another socket if the one chosen was taken meanwhile, waits for /health, then checks the key is enforced. */
    private void start(Protocol.Load request) {
        long t0 = System.nanoTime();
        try {
            for (int attempt = 1; attempt <= ADDRESS_TRIES && !stopping; attempt++) {
                var s = launch(request, sockets.next());
                var outcome = s.awaitHealthy(() -> stopping, tail::recent);
                if (outcome == ServerProcess.Health.OK) {
                    s.requireKeyEnforced(binary);
                    starting = false;
                    if (!s.process().isAlive()) onExit(s); // it died in the instant between the health check and now
                    loaded.complete(new Protocol.Loaded((System.nanoTime() - t0) / 1_000_000));
                    return;
                }
                int code = s.process().waitFor();
                s.ended();
                if (outcome == ServerProcess.Health.ADDRESS_TAKEN && attempt < ADDRESS_TRIES && !stopping) {
                    log.warn("llama-server could not bind {}; trying another socket", s.socket());
                    continue;
                }
                failedStart(code);
                return;
            }
            failedStart(-1);
        } catch (IOException e) {
            // the reason first: ending the server below would otherwise be reported as "stopped"
            loaded.completeExceptionally(e instanceof ServerProcess.KeyNotEnforced ? e
                    : new IOException("cannot start " + binary + ": " + e.getMessage(), e));
            starting = false;
            stopping = true;
            var s = server;
            if (s != null) s.close();
            exited.complete(-1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        } catch (RuntimeException | LinkageError e) {
            // the load must still end, or the host would wait for its timeout (a missing native library
            // under the socket's client, seen in a slimmed jar, held a load for ten minutes)
            log.error("starting llama-server failed", e);
            starting = false;
            kill();
            loaded.completeExceptionally(new IOException("cannot start " + binary + " (" + e + ")", e));
            exited.complete(-1);
        }
    }

    private ServerProcess launch(Protocol.Load request, Path socket) throws IOException {
        var args = new ArrayList<String>(List.of("-m", request.path(), "-c", String.valueOf(request.ctxSize()),
                "-ngl", String.valueOf(request.gpuLayers()), "-t", String.valueOf(request.threads()), "-np", "1"));
        if (request.flashAttn()) args.addAll(List.of("-fa", "on"));
        log.info("starting llama-server for {} on {} ({} gpu layers)", request.path(), socket, request.gpuLayers());
        var s = ServerProcess.start(binary, accelerator.environment(), args, socket, base, threads, tail::add);
        server = s;
        streaming = s.client().newBuilder().readTimeout(Duration.ZERO).build();
        s.process().onExit().thenAccept(p -> onExit(s));
        return s;
    }

    private void failedStart(int code) {
        starting = false;
        var diagnosis = diagnosis();
        loaded.completeExceptionally(new IOException(!diagnosis.isEmpty() ? diagnosis
                : code == 127 && !stopping ? "cannot start " + binary + ": not found, or not a program this system can run"
                : "llama-server exited (" + (stopping ? "stopped" : "exit code " + code) + ")"));
        exited.complete(code);
    }

    private void onExit(ServerProcess s) {
        if (s != server || starting) return;
        int code = s.process().exitValue();
        s.ended();
        var gone = new IOException("the model server " + (stopping ? "was stopped" : "ended unexpectedly (exit code " + code + ")"));
        loaded.completeExceptionally(gone);
        streams.failAll(gone.getMessage());
        exited.complete(code);
    }

    @Override
    public void stream(Protocol.Generate request, Consumer<Protocol.Event> sink) {
        var body = new LinkedHashMap<String, Object>();
        body.put("prompt", request.prompt());
        body.put("n_predict", request.maxTokens());
        body.put("temperature", request.temperature());
        if (request.seed() >= 0) body.put("seed", request.seed());
        body.put("stop", request.stop());
        body.put("stream", true);
        body.put("cache_prompt", true);
        var call = streaming.newCall(post("/completion", body));
        streams.open(request.id(), call::cancel, sink);
        threads.execute(named("llama-server-stream-" + request.id(), () -> readStream(request.id(), call, sink)));
    }

    /** Reads server-sent events: {@code data: {content, stop:false}} per token, then one with stop:true and timings. */
    private void readStream(String id, Call call, Consumer<Protocol.Event> sink) {
        try (Response response = call.execute()) {
            if (!response.isSuccessful()) {
                fail(id, "llama-server answered HTTP " + response.code() + ": " + errorText(response));
                return;
            }
            var lines = new BufferedReader(new InputStreamReader(response.body().byteStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.startsWith("data: ")) continue;
                var event = JSON.readTree(line.substring(6));
                if (event.has("error")) {
                    fail(id, event.path("error").path("message").asText("llama-server reported an error"));
                    return;
                }
                var content = event.path("content").asText("");
                if (!content.isEmpty()) sink.accept(new Protocol.Token(id, content));
                if (event.path("stop").asBoolean(false)) {
                    var timings = event.path("timings");
                    int tokens = event.path("tokens_predicted").asInt(timings.path("predicted_n").asInt(0));
                    var reason = "limit".equals(event.path("stop_type").asText()) ? "length" : "stop";
                    streams.end(id, new Protocol.Done(id, tokens, reason, (long) timings.path("prompt_ms").asDouble(-1),
                            (long) (timings.path("prompt_ms").asDouble(0) + timings.path("predicted_ms").asDouble(0))));
                    return;
                }
            }
            fail(id, "llama-server closed the stream early");
        } catch (IOException e) {
            fail(id, "lost the model server (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            log.error("reading llama-server's stream failed", e); // the stream must still end, or the answer would wait for good
            fail(id, "llama-server sent something unreadable; see .data/logs/ragdesk.log");
        }
    }

    private void fail(String id, String message) {
        streams.fail(id, message);
    }

    @Override
    public void endStream(String id) {
        // the host stops listening; the call itself ends on Cancel or when the server finishes
    }

    @Override
    public void send(Protocol.Request request) {
        if (request instanceof Protocol.Cancel c) {
            if (streams.cancel(c.id())) confirmIdle();
        }
    }

    /**
     * Upstream has reports of generation going on after a disconnect: check that the slot went
     * idle, and end the server if it did not, since a busy slot would delay every next answer.
     */
    private void confirmIdle() {
        threads.execute(named("llama-server-idle-check", () -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < deadline && isAlive()) {
                try {
                    if (!slotBusy()) return;
                } catch (IOException | RuntimeException e) {
                    return; // the server is going away anyway
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            if (isAlive()) {
                log.warn("llama-server {} kept generating after a cancel; ending it", pid());
                kill();
            }
        }));
    }

    /** Whether the server's only slot is generating: for tests and for the host's checks. */
    public boolean slotBusy() throws IOException {
        try (var response = server.client().newCall(new Request.Builder().url(url("/slots")).get().build()).execute()) {
            boolean busy = false;
            for (var slot : JSON.readTree(response.body().byteStream())) busy |= slot.path("is_processing").asBoolean(false);
            return busy;
        }
    }

    @Override
    public CompletableFuture<Protocol.Event> ask(String id, Protocol.Request request) {
        var reply = new CompletableFuture<Protocol.Event>();
        Request http;
        if (request instanceof Protocol.Tokenize t) {
            http = post("/tokenize", Map.of("content", t.text()));
        } else if (request instanceof Protocol.ApplyTemplate a) {
            var messages = new ArrayList<Map<String, String>>();
            if (a.system() != null && !a.system().isBlank()) messages.add(Map.of("role", "system", "content", a.system()));
            a.messages().forEach(m -> messages.add(Map.of("role", m.role(), "content", m.content())));
            http = post("/apply-template", Map.of("messages", messages));
        } else {
            reply.complete(new Protocol.Error(id, "llama-server cannot answer " + request.getClass().getSimpleName()));
            return reply;
        }
        server.client().newCall(http).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                reply.completeExceptionally(new IOException("lost the model server (" + e.getMessage() + ")", e));
            }

            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    if (!response.isSuccessful()) {
                        reply.complete(new Protocol.Error(id, "llama-server answered HTTP " + response.code() + ": " + errorText(response)));
                        return;
                    }
                    JsonNode json = JSON.readTree(response.body().byteStream());
                    reply.complete(request instanceof Protocol.Tokenize
                            ? new Protocol.Tokens(id, json.path("tokens").size())
                            : new Protocol.Template(id, json.path("prompt").asText()));
                } catch (IOException | RuntimeException e) {
                    reply.completeExceptionally(e);
                }
            }
        });
        return reply;
    }

    @Override
    public CompletableFuture<Integer> exited() { return exited; }

    @Override
    public String diagnosis() { return tail.diagnosis(); }

    @Override
    public void kill() {
        stopping = true;
        var s = server;
        var p = s == null ? null : s.process();
        if (p == null) {
            loaded.completeExceptionally(new IOException("the model server was stopped"));
            exited.complete(-1);
            return;
        }
        p.destroyForcibly();
    }

    /**
     * SIGKILL, then waits until the process is gone, since only then is its memory free.
     * llama-server keeps nothing that needs a tidy exit (no files, no state beyond the model in
     * memory, which the OS and the GPU driver reclaim when the process ends), and its SIGTERM
     * handling took ~95 ms of every swap here.
     */
    @Override
    public void shutdown(Duration timeout) {
        stopping = true;
        var s = server;
        var p = s == null ? null : s.process();
        if (p == null) {
            kill();
            return;
        }
        streams.stopAll();
        p.destroyForcibly();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("llama-server {} was still there {} ms after SIGKILL", p.pid(), timeout.toMillis());
            }
            exited.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("llama-server {} exit bookkeeping: {}", p.pid(), e.toString());
        }
    }

    /** {@code task} under a thread name that says what it does, for the log. */
    private static Runnable named(String name, Runnable task) {
        return () -> {
            var thread = Thread.currentThread();
            var pooled = thread.getName();
            thread.setName(name);
            try {
                task.run();
            } finally {
                thread.setName(pooled);
            }
        };
    }

    private Request post(String path, Object body) {
        try {
            return new Request.Builder().url(url(path))
                    .post(RequestBody.create(JSON.writeValueAsBytes(body), JSON_TYPE)).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpUrl url(String path) {
        return server.url(path);
    }

    private static String errorText(Response response) {
        try {
            var json = JSON.readTree(response.body().byteStream());
            return json.path("error").path("message").asText(json.toString());
        } catch (IOException | RuntimeException e) {
            return "no details";
        }
    }
}
