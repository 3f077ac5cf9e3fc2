package dev.ragdesk.bench;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.engine.ModelRequest;
import dev.ragdesk.engine.server.ServerLauncher;
import dev.ragdesk.engine.server.ServerProcess;
import dev.ragdesk.process.Threads;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The benches' llama-server baseline: the same binary and flags as ragdesk's engine, started
 * and spoken to directly, with none of the engine's host, protocol or stream handling in
 * between. It is started as every server ragdesk runs ({@link ServerProcess}): on a private
 * socket, behind a key, guarded by a watchdog, in its own session, so a killed bench leaves no
 * open server holding memory.
 */
final class BareServer implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    /** One streamed answer, timed from this side. */
    record Answer(double ttftMs, double totalMs, int tokens) {}

    private final ServerProcess process;
    private final OkHttpClient client;

    private BareServer(ServerProcess process) {
        this.process = process;
        this.client = process.client();
    }

    private static final ExecutorService OUTPUT = Executors.newCachedThreadPool(Threads.daemon("bare-llama-server-output"));

    /** Starts the server on the model and returns once /health says it is ready. */
    static BareServer start(Path binary, Map<String, String> environment, Path runDir, ModelRequest request) throws IOException, RagdeskException {
        var p = ServerProcess.start(binary, environment, List.of("-m", request.path().toString(), "-c", String.valueOf(request.ctxSize()),
                "-ngl", String.valueOf(Math.max(0, request.gpuLayers())), "-t", String.valueOf(request.threads()), "-np", "1"),
                ServerLauncher.inFolder(runDir).next(), new OkHttpClient.Builder().readTimeout(Duration.ofMinutes(10)).build(),
                OUTPUT, line -> {});
        var server = new BareServer(p);
        try {
            if (p.awaitHealthy(() -> false, () -> "") != ServerProcess.Health.OK) {
                server.close();
                throw new RagdeskException("llama-server alone did not start on " + request.path());
            }
            p.requireKeyEnforced(binary);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new RagdeskException("interrupted while llama-server alone started");
        }
        return server;
    }

    long pid() { return process.pid(); }

    private HttpUrl url(String path) { return process.url(path); }

    int countTokens(String text) throws IOException {
        try (var r = client.newCall(new Request.Builder().url(url("/tokenize"))
                .post(RequestBody.create(JSON.writeValueAsBytes(Map.of("content", text)), JSON_TYPE)).build()).execute()) {
            return JSON.readTree(r.body().byteStream()).path("tokens").size();
        }
    }

    /** A greedy streamed completion, as ragdesk's engine asks for one. */
    Answer complete(String prompt, int tokens) throws IOException {
        var body = JSON.writeValueAsBytes(Map.of("prompt", prompt, "n_predict", tokens, "temperature", 0.0, "seed", 1,
                "stream", true, "cache_prompt", true));
        long t0 = System.nanoTime();
        long first = -1;
        int count = 0;
        try (var response = client.newCall(new Request.Builder().url(url("/completion")).post(RequestBody.create(body, JSON_TYPE)).build()).execute()) {
            var lines = new BufferedReader(new InputStreamReader(response.body().byteStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.startsWith("data: ")) continue;
                var event = JSON.readTree(line.substring(6));
                if (!event.path("content").asText("").isEmpty()) {
                    if (first < 0) first = System.nanoTime();
                    count++;
                }
                if (event.path("stop").asBoolean(false)) {
                    count = event.path("tokens_predicted").asInt(count);
                    break;
                }
            }
        }
        long end = System.nanoTime();
        return new Answer((first - t0) / 1e6, (end - t0) / 1e6, count);
    }

    @Override
    public void close() {
        process.close();
    }
}
