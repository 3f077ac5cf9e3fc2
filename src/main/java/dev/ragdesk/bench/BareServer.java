package dev.ragdesk.bench;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.engine.ModelRequest;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The benches' llama-server baseline: the same binary and flags as ragdesk's engine, started
 * and spoken to directly, with no ragdesk in between.
 */
final class BareServer implements AutoCloseable {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    /** One streamed answer, timed from this side. */
    record Answer(double ttftMs, double totalMs, int tokens) {}

    private final Process process;
    private final String base;
    private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(Duration.ofMinutes(10)).build();

    private BareServer(Process process, int port) {
        this.process = process;
        this.base = "http://127.0.0.1:" + port;
    }

    /** Starts the server on the model and returns once /health says it is ready. */
    static BareServer start(Path binary, ModelRequest request) throws IOException, RagdeskException {
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        var p = new ProcessBuilder(binary.toString(), "-m", request.path().toString(), "-c", String.valueOf(request.ctxSize()),
                "-ngl", String.valueOf(Math.max(0, request.gpuLayers())), "-t", String.valueOf(request.threads()),
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--no-webui", "-np", "1")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        var server = new BareServer(p, port);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (true) {
            try (var r = server.client.newCall(new Request.Builder().url(server.base + "/health").build()).execute()) {
                if (r.code() == 200) return server;
            } catch (IOException notYet) {
                // starting
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                server.close();
                throw new RagdeskException("llama-server alone did not start on " + request.path());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // it announces nothing: poll its health
        }
    }

    long pid() { return process.pid(); }

    int countTokens(String text) throws IOException {
        try (var r = client.newCall(new Request.Builder().url(base + "/tokenize")
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
        try (var response = client.newCall(new Request.Builder().url(base + "/completion").post(RequestBody.create(body, JSON_TYPE)).build()).execute()) {
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
        try {
            process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
