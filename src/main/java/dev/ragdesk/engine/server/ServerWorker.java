package dev.ragdesk.engine.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.engine.LogTail;
import dev.ragdesk.engine.Protocol;
import dev.ragdesk.engine.Worker;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One llama-server process holding one model, as a {@link Worker}. The process starts on
 * {@link #load}: the model, context and GPU layers are command-line flags. It listens on
 * 127.0.0.1 only, on a port of its own, behind a random per-launch API key, because a shared
 * GPU server has other local users who can reach loopback; it has no web UI. Streams come from
 * {@code /completion} as server-sent events; a cancel closes the stream, then checks that the
 * slot went idle and kills the process as the last resort.
 *
 * <p>The server runs in a session of its own (setsid), so the terminal's Ctrl-C reaches the
 * app, not the server, and a watchdog kills it if this JVM dies without ending it.
 */
public final class ServerWorker implements Worker {
    private static final Logger log = LoggerFactory.getLogger(ServerWorker.class);
    private static final Logger serverLog = LoggerFactory.getLogger("llama-server");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    private static final int PORT_TRIES = 3;

    /** Where ports come from; a parameter so a test can hand out one that is taken. */
    public interface Ports {
        int next() throws IOException;
    }

    private final Path binary;
    private final Ports ports;
    private final Helpers helpers;
    private final OkHttpClient http;
    /** For streams: no read timeout, since a long prompt on a CPU sends nothing for a while. */
    private final OkHttpClient streaming;
    private final String apiKey = HexFormat.of().formatHex(randomBytes());
    private final LogTail tail = new LogTail();
    /** Released when the server logs that it is ready, so that /health is asked then and not every few ms meanwhile. */
    private final java.util.concurrent.Semaphore readyCue = new java.util.concurrent.Semaphore(0);
    private final CompletableFuture<Protocol.Loaded> loaded = new CompletableFuture<>();
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    /** Streams not yet ended: a user's cancel takes one out; the server's exit fails whatever is left. */
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    /** Completes when the server's output has been read to its end: its last lines say why it stopped. */
    private volatile CompletableFuture<Void> outputRead = CompletableFuture.completedFuture(null);

    private volatile Process process;
    private volatile Watchdog watchdog;
    private volatile int port;
    private volatile boolean stopping;
    /** True until the start ends, healthy or not: exits before then are the starter's to handle (a taken port is retried). */
    private volatile boolean starting = true;

    private record Stream(Call call, Consumer<Protocol.Event> sink) {}

    /**
     * What the launcher keeps ready for its servers, so that a swap creates neither processes nor threads.
     *
     * @param slots     shells that become the next server (process creation off the swap's path)
     * @param watchdogs each server's guard against this JVM's sudden end
     * @param threads   run the start, the output reader and the answer streams: pooled, since
     *                  starting a thread waits for it to be scheduled, ~1 ms each while
     *                  llama-server's own threads keep a small machine's cores busy
     */
    record Helpers(Spare<ServerSlot> slots, Spare<Watchdog> watchdogs, java.util.concurrent.Executor threads) {
        /** Starts the next server's helpers, off the swap path. */
        void replenish() {
            slots.replenish();
            watchdogs.replenish();
        }
    }

    ServerWorker(Path binary, Ports ports, OkHttpClient http, Helpers helpers) {
        this.binary = binary;
        this.ports = ports;
        this.helpers = helpers;
        this.http = http;
        this.streaming = http.newBuilder().readTimeout(Duration.ZERO).build();
    }

    private static byte[] randomBytes() {
        var bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    @Override
    public long pid() {
        var p = process;
        return p == null ? 0 : p.pid();
    }

    @Override
    public boolean isAlive() {
        var p = process;
        return p == null ? !exited.isDone() : p.isAlive();
    }

    @Override
    public boolean isStopping() { return stopping; }

    @Override
    public CompletableFuture<Protocol.Loaded> load(Protocol.Load request) {
        helpers.threads().execute(named("llama-server-start", () -> start(request)));
        return loaded;
    }

    /** Starts the server, retrying on another port if the one chosen was taken meanwhile, then waits for /health. */
    private void start(Protocol.Load request) {
        long t0 = System.nanoTime();
        try {
            for (int attempt = 1; attempt <= PORT_TRIES && !stopping; attempt++) {
                port = ports.next();
                var p = launch(request, port);
                var outcome = awaitHealthy(p);
                if (outcome == Health.OK) {
                    starting = false;
                    if (!p.isAlive()) onExit(p); // it died in the instant between the health check and now
                    loaded.complete(new Protocol.Loaded((System.nanoTime() - t0) / 1_000_000));
                    return;
                }
                int code = p.waitFor();
                if (outcome == Health.PORT_TAKEN && attempt < PORT_TRIES && !stopping) {
                    endWatchdog();
                    log.warn("llama-server could not bind 127.0.0.1:{}; trying another port", port);
                    continue;
                }
                failedStart(code);
                return;
            }
            failedStart(-1);
        } catch (IOException e) {
            starting = false;
            loaded.completeExceptionally(new IOException("cannot start " + binary + ": " + e.getMessage(), e));
            exited.complete(-1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
        } catch (RuntimeException e) {
            log.error("starting llama-server failed", e); // the load must still end, or the host would wait for its timeout
            starting = false;
            kill();
            loaded.completeExceptionally(new IOException("cannot start " + binary + " (" + e + ")", e));
            exited.complete(-1);
        }
    }

    private Process launch(Protocol.Load request, int port) throws IOException {
        var cmd = new ArrayList<String>(List.of(binary.toString(), "-m", request.path(), "-c", String.valueOf(request.ctxSize()),
                "-ngl", String.valueOf(request.gpuLayers()), "-t", String.valueOf(request.threads()),
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--no-webui", "-np", "1"));
        if (request.flashAttn()) cmd.addAll(List.of("-fa", "on"));
        log.info("starting llama-server for {} on 127.0.0.1:{} ({} gpu layers)", request.path(), port, request.gpuLayers());
        Process p;
        try {
            p = helpers.slots().take().exec(apiKey, cmd);
        } catch (ServerSlot.Unpassable e) {
            throw e;
        } catch (IOException waitingSlotGone) { // ended by someone else while it waited: a fresh one
            log.debug("the waiting server slot was gone ({}); starting another", waitingSlotGone.toString());
            p = ServerSlot.start().exec(apiKey, cmd);
        }
        process = p;
        guard(p.pid());
        outputRead = readOutput(p.getInputStream(), p.pid());
        p.onExit().thenAccept(this::onExit);
        return p;
    }

    private enum Health { OK, PORT_TAKEN, EXITED }

    /**
     * Asks /health (503 while loading, 200 when ready) when the server logs "model loaded" or
     * "listening on", and every 10 ms (100 ms after two seconds) in case a build words it
     * otherwise. Probing every 2-5 ms instead took CPU from the load itself on a 2-core machine:
     * the server was ready 6 ms later than when started alone.
     */
    private Health awaitHealthy(Process p) throws InterruptedException {
        var health = new Request.Builder().url(url("/health")).get().build();
        // short timeouts: whatever answers on that port must answer /health at once, or it is not our server
        var probe = http.newBuilder().readTimeout(Duration.ofSeconds(2)).callTimeout(Duration.ofSeconds(3)).build();
        long started = System.nanoTime();
        while (p.isAlive() && !stopping) {
            try (var response = probe.newCall(health).execute()) {
                if (response.code() == 200) return Health.OK;
            } catch (IOException notYetListening) {
                // the socket opens a moment after the process starts
            }
            boolean firstSeconds = System.nanoTime() - started < TimeUnit.SECONDS.toNanos(2);
            readyCue.tryAcquire(firstSeconds ? 10 : 100, TimeUnit.MILLISECONDS);
            readyCue.drainPermits();
            if (Thread.interrupted()) throw new InterruptedException();
        }
        p.waitFor(5, TimeUnit.SECONDS);
        try {
            outputRead.get(2, TimeUnit.SECONDS); // its last log lines, which say why
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.debug("llama-server's last output: {}", e.toString());
        }
        var said = tail.recent().toLowerCase(java.util.Locale.ROOT);
        return said.contains("couldn't bind") || said.contains("address already in use") || said.contains("http server error")
                ? Health.PORT_TAKEN : Health.EXITED;
    }

    private void failedStart(int code) {
        starting = false;
        var diagnosis = diagnosis();
        loaded.completeExceptionally(new IOException(!diagnosis.isEmpty() ? diagnosis
                : code == 127 && !stopping ? "cannot start " + binary + ": not found, or not a program this system can run"
                : "llama-server exited (" + (stopping ? "stopped" : "exit code " + code) + ")"));
        endWatchdog();
        exited.complete(code);
    }

    private void onExit(Process p) {
        if (p != process || starting) return;
        int code = p.exitValue();
        var gone = new IOException("the model server " + (stopping ? "was stopped" : "ended unexpectedly (exit code " + code + ")"));
        loaded.completeExceptionally(gone);
        for (var id : List.copyOf(streams.keySet())) {
            var stream = streams.remove(id);
            if (stream != null) {
                stream.sink().accept(new Protocol.Error(id, gone.getMessage()));
                stream.call().cancel();
            }
        }
        endWatchdog();
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
        streams.put(request.id(), new Stream(call, sink));
        helpers.threads().execute(named("llama-server-stream-" + request.id(), () -> {
            readStream(request.id(), call, sink);
            // the next server's helpers, started while the user reads this answer: started right
            // after the load, their forks and execs took CPU from this answer's first token
            helpers.replenish();
        }));
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
                if (event.path("stop").asBoolean(false) && streams.remove(id) != null) {
                    var timings = event.path("timings");
                    int tokens = event.path("tokens_predicted").asInt(timings.path("predicted_n").asInt(0));
                    var reason = "limit".equals(event.path("stop_type").asText()) ? "length" : "stop";
                    sink.accept(new Protocol.Done(id, tokens, reason, (long) timings.path("prompt_ms").asDouble(-1),
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

    /** Ends a stream with an error, unless it already ended (a cancel, the server's exit, its last event). */
    private void fail(String id, String message) {
        var stream = streams.remove(id);
        if (stream != null) stream.sink().accept(new Protocol.Error(id, message));
    }

    @Override
    public void endStream(String id) {
        // the host stops listening; the call itself ends on Cancel or when the server finishes
    }

    @Override
    public void send(Protocol.Request request) {
        if (request instanceof Protocol.Cancel c) {
            var stream = streams.remove(c.id());
            if (stream != null) {
                stream.call().cancel(); // closing the connection is how llama-server is told to stop
                confirmIdle();
            }
        }
    }

    /**
     * Upstream has reports of generation going on after a disconnect: check that the slot went
     * idle, and end the server if it did not, since a busy slot would delay every next answer.
     */
    private void confirmIdle() {
        helpers.threads().execute(named("llama-server-idle-check", () -> {
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
        try (var response = http.newCall(new Request.Builder().url(url("/slots")).header("Authorization", "Bearer " + apiKey).get().build()).execute()) {
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
        this.http.newCall(http).enqueue(new okhttp3.Callback() {
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
        var p = process;
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
        var p = process;
        if (p == null) {
            kill();
            return;
        }
        streams.values().forEach(stream -> stream.call().cancel());
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

    /** Hands the server to a watchdog, which kills it if this JVM dies without ending it. */
    private void guard(long serverPid) {
        try {
            var w = helpers.watchdogs().take();
            watchdog = w;
            w.guard(serverPid);
        } catch (IOException e) {
            log.warn("no watchdog for llama-server {}: {}", serverPid, e.toString());
        }
    }

    private void endWatchdog() {
        var w = watchdog;
        if (w != null) w.end();
    }

    /** Reads the server's output (stderr merged into stdout) into the log and the tail kept for diagnoses. */
    private CompletableFuture<Void> readOutput(InputStream stream, long pid) {
        var done = new CompletableFuture<Void>();
        helpers.threads().execute(named("llama-server-" + pid + "-output", () -> {
            try (var reader = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.contains(apiKey)) line = line.replace(apiKey, "***"); // the key never reaches the log
                    serverLog.info("[{}] {}", pid, line);
                    if (line.contains("model loaded") || line.contains("listening on")) readyCue.release();
                    tail.add(line);
                }
            } catch (IOException e) {
                // the process ended
            } finally {
                done.complete(null);
            }
        }));
        return done;
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
            return new Request.Builder().url(url(path)).header("Authorization", "Bearer " + apiKey)
                    .post(RequestBody.create(JSON.writeValueAsBytes(body), JSON_TYPE)).build();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + port + path;
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
