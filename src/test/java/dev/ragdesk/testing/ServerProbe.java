package dev.ragdesk.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ragdesk.engine.server.ServerLauncher;
import dev.ragdesk.engine.server.ServerProcess;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/** A real llama-server on a model, started the way ragdesk starts one, for asking its own endpoints (/tokenize, /apply-template). */
public final class ServerProbe implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ServerProcess process;

    private ServerProbe(ServerProcess process) {
        this.process = process;
    }

    public static ServerProbe start(Path binary, Path model, Path runDir) throws Exception {
        var process = ServerProcess.start(binary, Map.of(), List.of("-m", model.toString(), "-c", "512", "-t", "2", "-np", "1"),
                ServerLauncher.inFolder(runDir).next(), new OkHttpClient.Builder().readTimeout(Duration.ofMinutes(2)).build(),
                Executors.newCachedThreadPool(r -> {
                    var t = new Thread(r, "server-probe");
                    t.setDaemon(true);
                    return t;
                }), line -> { });
        var probe = new ServerProbe(process);
        if (process.awaitHealthy(() -> false, () -> "") != ServerProcess.Health.OK) {
            probe.close();
            throw new IOException("llama-server did not start on " + model);
        }
        return probe;
    }

    public JsonNode post(String path, String json) throws IOException {
        var request = new Request.Builder().url(process.url(path)).post(RequestBody.create(json, MediaType.get("application/json"))).build();
        try (var response = process.client().newCall(request).execute()) {
            return JSON.readTree(response.body().byteStream());
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
