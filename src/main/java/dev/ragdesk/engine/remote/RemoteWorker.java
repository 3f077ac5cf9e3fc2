package dev.ragdesk.engine.remote;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.engine.ChatMessage;
import dev.ragdesk.engine.ModelRequest;
import dev.ragdesk.engine.OpenStreams;
import dev.ragdesk.engine.Protocol;
import dev.ragdesk.engine.Worker;
import dev.ragdesk.process.Threads;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A model served by an OpenAI-compatible endpoint (vLLM, llama-server, Ollama, LM Studio) as a
 * {@link Worker}: no process here and no local memory, so "loading" checks that the endpoint
 * answers, takes the key and serves the model. Answers stream as server-sent events from
 * {@code /v1/chat/completions} (chat, where the server applies the model's template) or
 * {@code /v1/completions} (the RAG completion prompt); closing the stream cancels. Every
 * refusal becomes one line that says what to fix; the key is never logged or shown.
 */
public final class RemoteWorker implements Worker {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");
    /** One client for every remote model; a stream that sends nothing for a minute is given up. */
    private static final OkHttpClient HTTP = new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(10))
            .readTimeout(Duration.ofSeconds(60))
            .build();

    private final ModelRequest.Remote remote;
    private final String base;
    private final CompletableFuture<Integer> exited = new CompletableFuture<>();
    private final OpenStreams streams = new OpenStreams();
    private volatile boolean stopping;

    public RemoteWorker(ModelRequest.Remote remote) {
        this.remote = remote;
        // "http://host:8000", "http://host:8000/" and "http://host:8000/v1" all mean the same server
        this.base = remote.endpoint().replaceAll("/+$", "").replaceAll("/v1$", "");
    }

    @Override
    public long pid() { return 0; }

    @Override
    public boolean isAlive() { return !exited.isDone(); }

    @Override
    public boolean isStopping() { return stopping; }

    /** Asks {@code /v1/models}: the endpoint is there, takes the key, and serves the model. */
    @Override
    public CompletableFuture<Protocol.Loaded> load(Protocol.Load request) {
        var loaded = new CompletableFuture<Protocol.Loaded>();
        long t0 = System.nanoTime();
        HTTP.newCall(authorised(new Request.Builder().url(base + "/v1/models").get()).build()).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
                fail(loaded, unreachable(e));
            }

            @Override
            public void onResponse(Call call, Response response) {
                try (response) {
                    if (!response.isSuccessful()) {
                        fail(loaded, refusal(response.code(), "/v1/models"));
                        return;
                    }
                    var served = new ArrayList<String>();
                    JSON.readTree(response.body().byteStream()).path("data").forEach(m -> served.add(m.path("id").asText()));
                    if (!served.isEmpty() && !served.contains(remote.model())) {
                        fail(loaded, base + " serves " + String.join(", ", served) + ", not " + remote.model()
                                + "; fix [models.*].model");
                        return;
                    }
                    loaded.complete(new Protocol.Loaded((System.nanoTime() - t0) / 1_000_000));
                } catch (IOException | RuntimeException e) {
                    fail(loaded, base + "/v1/models sent something that is not an OpenAI model list; is [models.*].endpoint right?");
                }
            }
        });
        return loaded;
    }

    private void fail(CompletableFuture<Protocol.Loaded> loaded, String message) {
        loaded.completeExceptionally(new IOException(message));
        exited.complete(1);
    }

    @Override
    public void stream(Protocol.Generate request, Consumer<Protocol.Event> sink) {
        var body = new LinkedHashMap<String, Object>();
        body.put("model", remote.model());
        boolean chat = request.messages() != null;
        if (chat) {
            var messages = new ArrayList<Map<String, String>>();
            for (ChatMessage m : request.messages()) messages.add(Map.of("role", m.role(), "content", m.content()));
            body.put("messages", messages);
        } else {
            body.put("prompt", request.prompt());
        }
        body.put("max_tokens", request.maxTokens());
        body.put("temperature", request.temperature());
        if (request.seed() >= 0) body.put("seed", request.seed());
        if (!request.stop().isEmpty()) body.put("stop", request.stop().size() > 4 ? request.stop().subList(0, 4) : request.stop());
        body.put("stream", true);
        body.put("stream_options", Map.of("include_usage", true));
        Request http;
        try {
            http = authorised(new Request.Builder().url(base + (chat ? "/v1/chat/completions" : "/v1/completions"))
                    .post(RequestBody.create(JSON.writeValueAsBytes(body), JSON_TYPE))).build();
        } catch (JsonProcessingException e) {
            sink.accept(new Protocol.Error(request.id(), "cannot write the request: " + e.getMessage()));
            return;
        }
        var call = HTTP.newCall(http);
        streams.open(request.id(), call::cancel, sink);
        var reader = Threads.start(() -> read(request.id(), call, chat, sink), "remote-stream-" + request.id());
    }

    /** OpenAI's stream: {@code data: {choices:[{delta:{content}} or {text}], finish_reason}} lines, then {@code data: [DONE]}. */
    private void read(String id, Call call, boolean chat, Consumer<Protocol.Event> sink) {
        int pieces = 0;
        int usage = -1;
        String finish = null;
        try (Response response = call.execute()) {
            if (!response.isSuccessful()) {
                streams.fail(id, refusal(response.code(), chat ? "/v1/chat/completions" : "/v1/completions"));
                return;
            }
            var lines = new BufferedReader(new InputStreamReader(response.body().byteStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                if (!line.startsWith("data:")) continue;
                var data = line.substring(5).strip();
                if (data.equals("[DONE]")) break;
                JsonNode event;
                try {
                    event = JSON.readTree(data);
                } catch (IOException malformed) {
                    streams.fail(id, base + " sent a malformed stream (not JSON); is it OpenAI-compatible?");
                    return;
                }
                if (event.has("error")) {
                    streams.fail(id, base + " reported: " + event.path("error").path("message").asText("an error"));
                    return;
                }
                if (event.path("usage").has("completion_tokens")) usage = event.path("usage").path("completion_tokens").asInt();
                var choice = event.path("choices").path(0);
                var text = chat ? choice.path("delta").path("content").asText("") : choice.path("text").asText("");
                if (!text.isEmpty()) {
                    pieces++;
                    sink.accept(new Protocol.Token(id, text));
                }
                if (choice.hasNonNull("finish_reason")) finish = choice.path("finish_reason").asText();
            }
            if (finish == null && usage < 0 && !call.isCanceled()) {
                streams.fail(id, base + " ended the stream without finishing the answer");
                return;
            }
            streams.end(id, new Protocol.Done(id, usage >= 0 ? usage : pieces, "length".equals(finish) ? "length" : "stop", -1, -1));
        } catch (SocketTimeoutException e) {
            if (!call.isCanceled()) streams.fail(id, base + " stopped answering (nothing for 60 s); try again later");
        } catch (IOException e) {
            if (!call.isCanceled()) streams.fail(id, unreachable(e));
        } catch (RuntimeException e) {
            // the stream must end whatever happened, or the answer would wait for good
            streams.fail(id, base + " sent something unreadable (" + e.getClass().getSimpleName() + ")");
        } finally {
            streams.fail(id, base + " ended the stream"); // if nothing above ended it
        }
    }

    @Override
    public void endStream(String id) {
        // the host stops listening; the call ends on Cancel or by itself
    }

    @Override
    public void send(Protocol.Request request) {
        if (request instanceof Protocol.Cancel c) {
            streams.cancel(c.id()); // closing the stream is how these servers are told to stop
        }
    }

    /**
     * No tokenizer here: token counts are estimated at four characters a token, and a template
     * is rendered as plain lines for that count only. The endpoint applies the real template.
     */
    @Override
    public CompletableFuture<Protocol.Event> ask(String id, Protocol.Request request) {
        if (request instanceof Protocol.Tokenize t) {
            return CompletableFuture.completedFuture(new Protocol.Tokens(id, Math.max(1, (t.text().length() + 3) / 4)));
        }
        if (request instanceof Protocol.ApplyTemplate a) {
            var text = new StringBuilder();
            if (a.system() != null && !a.system().isBlank()) text.append("system: ").append(a.system()).append('\n');
            a.messages().forEach(m -> text.append(m.role()).append(": ").append(m.content()).append('\n'));
            return CompletableFuture.completedFuture(new Protocol.Template(id, text.toString()));
        }
        return CompletableFuture.completedFuture(new Protocol.Error(id, "a remote endpoint cannot answer " + request.getClass().getSimpleName()));
    }

    @Override
    public CompletableFuture<Integer> exited() { return exited; }

    @Override
    public String diagnosis() { return ""; }

    @Override
    public void kill() {
        stopping = true;
        streams.stopAll();
        // an unloaded (or idle-unloaded) remote model keeps nothing open here either: no kept-alive connection
        HTTP.connectionPool().evictAll();
        exited.complete(0);
    }

    @Override
    public void shutdown(Duration timeout) {
        kill();
    }

    private Request.Builder authorised(Request.Builder request) {
        return remote.apiKey().isEmpty() ? request : request.header("Authorization", "Bearer " + remote.apiKey());
    }

    /** One line per refusal, saying what to fix; never the key. */
    private String refusal(int status, String path) {
        var keyHint = remote.apiKeyEnv().isEmpty() ? "set [models.*].api_key_env to the variable that holds its key"
                : "set $" + remote.apiKeyEnv() + " to a key it accepts";
        return switch (status) {
            case 401, 403 -> base + " refused the API key (HTTP " + status + "); " + keyHint;
            case 404 -> base + path + " answered 404: " + (path.equals("/v1/models") ? "is [models.*].endpoint an OpenAI-compatible server?"
                    : "the endpoint does not serve " + remote.model() + " there; fix [models.*].model");
            case 429 -> base + " is busy (HTTP 429, too many requests); try again in a moment";
            default -> base + " answered HTTP " + status + (status >= 500 ? "; the server failed, try again later" : "");
        };
    }

    private String unreachable(IOException e) {
        if (e instanceof ConnectException) return "cannot reach " + base + " (connection refused); is the server running?";
        if (e instanceof UnknownHostException) return "cannot reach " + base + " (unknown host); check [models.*].endpoint";
        if (e instanceof SocketTimeoutException) return base + " did not answer in time; try again later";
        return "lost the connection to " + base + " (" + e.getMessage() + ")";
    }
}
