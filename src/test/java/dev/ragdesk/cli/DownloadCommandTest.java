package dev.ragdesk.cli;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.app.ExitCodes;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class DownloadCommandTest {

    @TempDir Path home;

    private CliRun run(Map<String, String> env, String... args) {
        return CliRun.in(home, env, args);
    }

    @Test
    void downloadsTheChatModelFromHfEndpointAndModelsShowsItVerified() throws Exception {
        var bytes = new byte[300_000];
        new Random(1).nextBytes(bytes);
        var sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        try (var server = new MockWebServer()) {
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest r) {
                    if (r.getPath().equals("/acme/chat-GGUF/resolve/main/chat.gguf")) {
                        return r.getMethod().equals("HEAD")
                                ? new MockResponse().setResponseCode(302).setHeader("Location", "/cdn/" + sha)
                                        .setHeader("X-Linked-Size", bytes.length).setHeader("X-Linked-Etag", "\"" + sha + "\"")
                                : new MockResponse().setResponseCode(302).setHeader("Location", "/cdn/" + sha);
                    }
                    if (r.getPath().equals("/cdn/" + sha)) return new MockResponse().setBody(new Buffer().write(bytes));
                    return new MockResponse().setResponseCode(404);
                }
            });
            server.start(InetAddress.getLoopbackAddress(), 0);
            Files.writeString(home.resolve("config.toml"), "[models.chat]\nrepo = \"acme/chat-GGUF\"\nfile = \"chat.gguf\"\n");
            var env = Map.of("HF_ENDPOINT", server.url("/").toString(), "HF_TOKEN", "hf_do_not_print");

            var r = run(env, "download", "chat");
            assertEquals(0, r.code(), r.err());
            var installed = home.resolve(".data/models/acme/chat-GGUF/chat.gguf");
            assertArrayEquals(bytes, Files.readAllBytes(installed));
            assertTrue(r.out().contains("chat: downloaded " + installed + " (sha256 verified)"), r.out());
            assertTrue(r.err().contains("licence: Llama 3.2 Community License"), "the licence is shown: " + r.err());
            assertFalse(r.out().contains("hf_do_not_print") || r.err().contains("hf_do_not_print"));
            assertFalse(Files.readString(home.resolve(".data/logs/ragdesk.log")).contains("hf_do_not_print"));

            var models = JsonMapper.builder().build().readTree(run(env, "models", "--json").out());
            var chat = models.get(1);
            assertEquals("chat", chat.get("role").asText());
            assertTrue(chat.get("present").asBoolean());
            assertEquals("sha256", chat.get("verified").asText());
            assertEquals("verified", chat.get("state").asText());
            assertEquals(bytes.length, chat.get("size_bytes").asLong());
            assertEquals("missing", models.get(0).get("state").asText(), "rag was not downloaded");
            assertTrue(models.get(0).get("licence").asText().contains("research"));
        }
    }

    @Test
    void noTargetIsAUsageError() {
        var r = run(Map.of(), "download");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("name what to download"), r.err());
    }

    @Test
    void localPathRoleIsNotDownloaded() throws Exception {
        Files.writeString(home.resolve("config.toml"), "[models.rag]\npath = \"my.gguf\"\n");
        var r = run(Map.of(), "download", "rag");
        assertEquals(ExitCodes.RUNTIME_ERROR, r.code());
        assertTrue(r.err().contains("rag uses the local file " + home.resolve("my.gguf")), r.err());
    }

    @Test
    void unreachableHubIsOneClearLine() throws Exception {
        var r = run(Map.of("HF_ENDPOINT", "http://127.0.0.1:9"), "download", "whisper");
        assertEquals(ExitCodes.RUNTIME_ERROR, r.code());
        assertTrue(r.err().contains("cannot reach http://127.0.0.1:9/"), r.err());
    }

    @Test
    void modelsListsAllRolesWithLicencesBeforeAnyDownload() {
        var r = run(Map.of(), "models");
        assertEquals(0, r.code(), r.err());
        for (var role : new String[] {"rag", "chat", "whisper", "tts"}) assertTrue(r.out().contains(role + " "), r.out());
        assertTrue(r.out().contains("about 2.0 GB"), r.out());
        assertTrue(r.out().contains("nothing in ragdesk uses it yet"), r.out());
    }
}
