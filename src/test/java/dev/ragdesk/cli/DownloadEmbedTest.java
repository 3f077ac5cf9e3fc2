package dev.ragdesk.cli;

import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.testing.MiniLm;
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
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** `download embed` installs both files of the role from a hub on loopback, each verified, and the model then works. */
class DownloadEmbedTest {

    @TempDir Path home;

    @Test
    void bothFilesAreInstalledVerifiedAndAnInterruptedRoleFinishesWhereItStopped() throws Exception {
        var model = Files.readAllBytes(MiniLm.files().model());
        var tokenizer = Files.readAllBytes(MiniLm.files().tokenizer());
        var files = Map.of("onnx/model.onnx", model, "tokenizer.json", tokenizer);
        var gets = new ConcurrentHashMap<String, AtomicInteger>();
        var tokenizerServed = new AtomicBoolean(false);
        try (var server = new MockWebServer()) {
            server.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest r) {
                    var prefix = "/acme/e5/resolve/main/";
                    if (r.getPath().startsWith(prefix)) {
                        var name = r.getPath().substring(prefix.length());
                        var bytes = files.get(name);
                        if (bytes == null || (name.equals("tokenizer.json") && !tokenizerServed.get())) return new MockResponse().setResponseCode(404);
                        var sha = sha256(bytes);
                        return new MockResponse().setResponseCode(302).setHeader("Location", "/cdn/" + name)
                                .setHeader("X-Linked-Size", bytes.length).setHeader("X-Linked-Etag", "\"" + sha + "\"");
                    }
                    if (r.getPath().startsWith("/cdn/")) {
                        var name = r.getPath().substring("/cdn/".length());
                        gets.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                        return new MockResponse().setBody(new Buffer().write(files.get(name)));
                    }
                    return new MockResponse().setResponseCode(404);
                }
            });
            server.start(InetAddress.getLoopbackAddress(), 0);
            Files.writeString(home.resolve("config.toml"), "[models.embed]\nrepo = \"acme/e5\"\n\n[embedding]\nquery_prefix = \"\"\n"
                    + "passage_prefix = \"\"\nmax_tokens = 256\n");
            var env = Map.of("HF_ENDPOINT", server.url("/").toString());

            var first = CliRun.in(home, env, "download", "embed");
            assertEquals(ExitCodes.RUNTIME_ERROR, first.code(), "the tokenizer is not served yet");
            assertTrue(first.out().contains("embed: downloaded " + home.resolve(".data/models/acme/e5/onnx/model.onnx") + " (sha256 verified)"),
                    first.out());
            assertTrue(first.err().contains("embed tokenizer"), first.err());
            assertTrue(first.err().contains("licence: MIT"), first.err());

            tokenizerServed.set(true);
            var second = CliRun.in(home, env, "download", "embed");
            assertEquals(0, second.code(), second.err());
            assertTrue(second.out().contains("embed: present"), second.out());
            assertTrue(second.out().contains("embed tokenizer: downloaded " + home.resolve(".data/models/acme/e5/tokenizer.json")
                    + " (sha256 verified)"), second.out());
            assertEquals(1, gets.get("onnx/model.onnx").get(), "the network file is not fetched again");
            assertArrayEquals(model, Files.readAllBytes(home.resolve(".data/models/acme/e5/onnx/model.onnx")));
            assertArrayEquals(tokenizer, Files.readAllBytes(home.resolve(".data/models/acme/e5/tokenizer.json")));
        }
        var docs = Files.createDirectories(home.resolve("docs"));
        Files.writeString(docs.resolve("car.txt"), "The automobile would not start because its battery was flat.\n");
        Files.writeString(docs.resolve("rice.txt"), "Monsoon rains flooded the rice fields near the river delta.\n");
        var index = CliRun.in(home, Map.of(), "index", docs.toString());
        assertTrue(index.out().contains("2 chunks embedded"), index.out() + index.err());
        var hits = CliRun.in(home, Map.of(), "search", "--json", "--mode", "vector", "my vehicle refuses to turn on").json();
        assertTrue(hits.get(0).get("path").asText().endsWith("car.txt"), hits.toString());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
