package dev.ragdesk.engine.remote;

import dev.ragdesk.config.ConfigLoader;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.engine.WorkerCensus;
import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.session.Assistant;
import dev.ragdesk.session.Mode;
import dev.ragdesk.session.Session;
import dev.ragdesk.session.Ticket;
import dev.ragdesk.testing.LighthouseDocs;
import dev.ragdesk.testing.LlamaServerBinary;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The remote kind against a real OpenAI-compatible server: a llama-server the test starts on
 * loopback with its own key and model name, spoken to only through /v1 as a remote endpoint.
 */
@Timeout(120)
class RemoteEngineTest {
    static final String KEY = "test-key-7f3a";
    @TempDir static Path shared;
    static Process server;
    static String endpoint;

    @TempDir Path home;
    Session session;

    @BeforeAll
    static void startRemote() throws Exception {
        var binary = LlamaServerBinary.find();
        if (binary.isEmpty()) return;
        var model = SyntheticGguf.llama().seed(4).chatTemplate("{% for m in messages %}{{ m['content'] }}\n{% endfor %}").writeTo(shared.resolve("remote.gguf"));
        int port;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        server = new ProcessBuilder(binary.get().toString(), "-m", model.toString(), "-c", "2048", "--host", "127.0.0.1",
                "--port", String.valueOf(port), "--api-key", KEY, "--alias", "served-model", "--no-webui", "-np", "1")
                .redirectErrorStream(true).redirectOutput(shared.resolve("server.log").toFile()).start();
        endpoint = "http://127.0.0.1:" + port + "/v1";
        var client = new OkHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && server.isAlive()) {
            try (var r = client.newCall(new Request.Builder().url("http://127.0.0.1:" + port + "/health").build()).execute()) {
                if (r.code() == 200) return;
            } catch (IOException notYet) {
                // starting
            }
            LockSupport.parkNanos(50_000_000); // the server announces nothing: poll its health
        }
        fail("the test's llama-server did not come up: " + Files.readString(shared.resolve("server.log")));
    }

    @AfterAll
    static void stopRemote() {
        if (server != null) server.destroyForcibly();
    }

    @AfterEach
    void close() {
        if (session != null) session.close();
    }

    Session open(String models, Map<String, String> env) throws Exception {
        LlamaServerBinary.require();
        Files.writeString(home.resolve("config.toml"), models + "[chat]\nmax_tokens = 8\n[rag]\nmax_tokens = 8\n");
        var config = new ConfigLoader().load(home.resolve("config.toml")).config();
        var workspace = new Workspace(home).ensureDataDirs();
        LighthouseDocs.indexedIn(home, config);
        var fullEnv = new HashMap<>(env);
        fullEnv.put("PATH", "");
        fullEnv.put("RAGDESK_GPU", "none");
        session = new Session(workspace, config, fullEnv, "4.2.0", e -> {},
                Session.Options.interactive("tui").withHost(ModelHost.Options.defaults().withPrestart(false)));
        return session;
    }

    static String remote(String role, String url, String model) {
        return "[models." + role + "]\nendpoint = \"" + url + "\"\nmodel = \"" + model + "\"\napi_key_env = \"RAGDESK_TEST_KEY\"\n";
    }

    Ticket.End ask(Mode mode, String question) throws Exception {
        return session.ask(question, new Session.Ask(mode, Assistant.Sampling.CONFIGURED, false)).done().get(60, TimeUnit.SECONDS);
    }

    @Test
    void chatAndRagAnswerFromTheRemoteEndpoint() throws Exception {
        open(remote("chat", endpoint, "served-model") + remote("rag", endpoint, "served-model"), Map.of("RAGDESK_TEST_KEY", KEY));
        var chat = assertInstanceOf(Ticket.End.Answered.class, ask(Mode.CHAT, "Once upon a time"));
        assertEquals("served-model", chat.model());
        assertFalse(chat.result().text().isEmpty());
        assertEquals(8, chat.result().tokens(), "the server's own count of the tokens it sent");
        var rag = assertInstanceOf(Ticket.End.Answered.class, ask(Mode.RAG, "When is the lamp lit?"));
        assertEquals(1, rag.citations().size(), "passages from the local index, answer from the remote model");
        assertEquals(List.of(server.pid()), WorkerCensus.now().pids(), "nothing runs here for a remote model but the test's own server");
        assertTrue(session.model().isPresent());
    }

    @Test
    void aWrongKeyIsOneLineNamingTheVariableButNotTheKey() throws Exception {
        open(remote("chat", endpoint, "served-model"), Map.of("RAGDESK_TEST_KEY", "wrong-key-123"));
        var failed = assertInstanceOf(Ticket.End.Failed.class, ask(Mode.CHAT, "hi"));
        assertTrue(failed.message().contains("refused the API key (HTTP 401); set $RAGDESK_TEST_KEY to a key it accepts"), failed.message());
        assertFalse(failed.message().contains("wrong-key-123"), "the key is never shown");
        var log = home.resolve(".data/logs/ragdesk.log");
        if (Files.exists(log)) assertFalse(Files.readString(log).contains("wrong-key-123"), "nor logged");
    }

    @Test
    void aModelTheEndpointDoesNotServeIsNamedWithWhatItServes() throws Exception {
        open(remote("chat", endpoint, "llama-70b"), Map.of("RAGDESK_TEST_KEY", KEY));
        var failed = assertInstanceOf(Ticket.End.Failed.class, ask(Mode.CHAT, "hi"));
        assertTrue(failed.message().contains("serves served-model, not llama-70b; fix [models.*].model"), failed.message());
    }

    @Test
    void aServerThatIsNotThereIsOneLine() throws Exception {
        int closed;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = socket.getLocalPort();
        }
        open(remote("chat", "http://127.0.0.1:" + closed, "m"), Map.of());
        var failed = assertInstanceOf(Ticket.End.Failed.class, ask(Mode.CHAT, "hi"));
        assertTrue(failed.message().contains("connection refused); is the server running?"), failed.message());
    }

    @Test
    void aMalformedStreamAndServerErrorsAreOneLineEach() throws Exception {
        try (var fake = new MockWebServer()) {
            fake.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest r) {
                    if (r.getPath().equals("/v1/models")) return new MockResponse().setBody("{\"data\":[{\"id\":\"m\"}]}");
                    if (r.getPath().equals("/v1/chat/completions")) return new MockResponse().setBody("data: <html>oops</html>\n\n");
                    return new MockResponse().setResponseCode(503);
                }
            });
            fake.start(InetAddress.getLoopbackAddress(), 0);
            var url = fake.url("/").toString();
            open(remote("chat", url, "m") + remote("rag", url, "m"), Map.of());
            var malformed = assertInstanceOf(Ticket.End.Failed.class, ask(Mode.CHAT, "hi"));
            assertTrue(malformed.message().contains("sent a malformed stream (not JSON)"), malformed.message());
            var busy = assertInstanceOf(Ticket.End.Failed.class, ask(Mode.RAG, "When is the lamp lit?"));
            assertTrue(busy.message().contains("answered HTTP 503; the server failed, try again later"), busy.message());
        }
    }
}
