package dev.ragdesk.cli;

import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.rag.Corpus;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.FileOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Bad input of every kind a user brings, through the real command line: each ends with one
 * line that says what to do, the right exit code, within a bound, without a stack trace, and
 * without losing what was stored. Hub answers come from a real HTTP server on loopback.
 */
class BadInputTest {
    @TempDir static Path root;
    static MockWebServer hub;
    static final AtomicInteger homes = new AtomicInteger();

    /** Paths of the scripted hub: how each one misbehaves. */
    static final Map<String, Function<RecordedRequest, MockResponse>> ROUTES = new ConcurrentHashMap<>();

    @BeforeAll
    static void startHub() throws Exception {
        hub = new MockWebServer();
        hub.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                var path = request.getRequestUrl().encodedPath();
                var route = ROUTES.entrySet().stream().filter(e -> path.startsWith(e.getKey())).findFirst();
                return route.map(e -> e.getValue().apply(request)).orElse(new MockResponse().setResponseCode(404));
            }
        });
        hub.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterAll
    static void stopHub() throws Exception {
        hub.close();
    }

    /** One case: a fresh workspace, prepared, then one command line. */
    record Case(String name, Setup setup, Map<String, String> env, int exit, String says, String[] args) {}

    interface Setup {
        void in(Path home) throws Exception;
    }

    static Case fails(String name, int exit, String says, Setup setup, String... args) {
        return new Case(name, setup, Map.of(), exit, says, args);
    }

    static Case failsWith(String name, Map<String, String> env, int exit, String says, Setup setup, String... args) {
        return new Case(name, setup, env, exit, says, args);
    }

    @TestFactory
    List<DynamicTest> models() throws Exception {
        var cases = new ArrayList<Case>();
        String[] ask = {"ask", "--mode", "chat", "--max-tokens", "2", "hi"};
        cases.add(fails("missing", 1, "does not exist", home -> chatModel(home, home.resolve("nope.gguf")), ask));
        cases.add(fails("empty", 1, "not a GGUF model file (only 0 bytes)", home -> chatModel(home, Files.write(home.resolve("m.gguf"), new byte[0])), ask));
        cases.add(fails("text", 1, "not a GGUF model file (it starts with", home -> chatModel(home, Files.writeString(home.resolve("m.gguf"), "hello, I am text\n".repeat(10))), ask));
        cases.add(fails("truncated", 1, "model file is truncated", home -> {
            var whole = Files.readAllBytes(SyntheticGguf.llama().writeTo(home.resolve("whole.gguf")));
            chatModel(home, Files.write(home.resolve("m.gguf"), Arrays.copyOf(whole, whole.length / 2)));
        }, ask));
        cases.add(fails("bad version", 1, "unsupported GGUF version 99", home -> chatModel(home, Files.write(home.resolve("m.gguf"),
                ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).put("GGUF".getBytes()).putInt(99).array())), ask));
        cases.add(fails("absurd header", 1, "corrupt GGUF header", home -> chatModel(home, Files.write(home.resolve("m.gguf"),
                ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).put("GGUF".getBytes()).putInt(3).putLong(1L << 40).putLong(1L << 40).array())), ask));
        cases.add(fails("wrong architecture", 1, "unknown model architecture: 'notallama'",
                home -> chatModel(home, SyntheticGguf.llama().architecture("notallama").writeTo(home.resolve("m.gguf"))), ask));
        cases.add(fails("a directory", 1, "is a folder, not a model file", home -> chatModel(home, Files.createDirectories(home.resolve("m.gguf"))), ask));
        var pasted = "the lamp of the lighthouse is lit at dusk ".repeat(2_223); // 20,007 words
        cases.add(fails("a pasted 20,000-word question in chat mode", 1, "shorten it or raise [llama].ctx_size",
                home -> chatModel(home, SyntheticGguf.llama().writeTo(home.resolve("m.gguf"))), "ask", "--mode", "chat", pasted));
        cases.add(fails("a pasted 20,000-word question in RAG mode", 1, "shorten it or raise [llama].ctx_size", home -> {
            var model = SyntheticGguf.llama().writeTo(home.resolve("m.gguf"));
            var docs = Files.createDirectories(home.resolve("docs"));
            Files.writeString(docs.resolve("lamp.md"), "The lamp of the lighthouse is lit at dusk.\n");
            config(home, "[models.rag]\npath = \"" + model + "\"\n");
            assertEquals(0, CliRun.in(home, Map.of(), "index", docs.toString()).code());
        }, "ask", "--mode", "rag", pasted));
        return tests(cases);
    }

    @TestFactory
    List<DynamicTest> audio() throws Exception {
        var cases = new ArrayList<Case>();
        cases.add(fails("not WAV", 1, "not a WAV file", home -> Files.writeString(home.resolve("a.wav"), "not audio at all"), "transcribe", "HOME/a.wav"));
        cases.add(fails("0 Hz", 1, "is not usable audio: its header says 0.0 Hz", home -> wav(home, 0, 1, 16, 3200), "transcribe", "HOME/a.wav"));
        cases.add(fails("0 channels", 1, "not a WAV file", home -> wav(home, 16_000, 0, 16, 3200), "transcribe", "HOME/a.wav"));
        cases.add(fails("0 samples", 1, "too short: 0.0 s", home -> wav(home, 16_000, 1, 16, 0), "transcribe", "HOME/a.wav"));
        cases.add(fails("0.3 s", 1, "too short: 0.3 s", home -> wav(home, 16_000, 1, 16, 9600), "transcribe", "HOME/a.wav"));
        // read and resampled fine; what stops it is the missing Whisper model, named with how to get one
        cases.add(fails("8-bit stereo 44.1 kHz", 1, "run `ragdesk download whisper`", home -> wav(home, 44_100, 2, 8, 2 * 44_100 * 2), "transcribe", "HOME/a.wav"));
        return tests(cases);
    }

    @TestFactory
    List<DynamicTest> config() throws Exception {
        var cases = new ArrayList<Case>();
        cases.add(fails("syntax", 2, "config.toml:2", home -> config(home, "[llama]\nctx_size = = 4\n"), "config"));
        cases.add(fails("type", 2, "llama.ctx_size", home -> config(home, "[llama]\nctx_size = \"big\"\n"), "config"));
        cases.add(fails("range", 2, "llama.ctx_size", home -> config(home, "[llama]\nctx_size = 5\n"), "config"));
        cases.add(fails("overflow", 2, "llama.ctx_size", home -> config(home, "[llama]\nctx_size = 99999999999999999999999\n"), "config"));
        cases.add(fails("duplicate key", 2, "config.toml", home -> config(home, "[llama]\nctx_size = 2048\nctx_size = 4096\n"), "config"));
        cases.add(fails("bad UTF-8", 2, "UTF-8", home -> Files.write(home.resolve("config.toml"), new byte[] {'#', ' ', (byte) 0xC3, (byte) 0x28, '\n'}), "config"));
        cases.add(fails("NUL", 2, "config.toml", home -> Files.write(home.resolve("config.toml"), "[llama]\nctx_size = 2048\u0000\n".getBytes()), "config"));
        cases.add(fails("a directory", 2, "config.toml", home -> Files.createDirectories(home.resolve("config.toml")), "config"));
        return tests(cases);
    }

    /** A BOM is what some editors write; it is not an error. */
    @org.junit.jupiter.api.Test
    void aConfigWithAByteOrderMarkLoads() throws Exception {
        var home = freshHome();
        config(home, "\uFEFF[llama]\nctx_size = 2048\n");
        var run = CliRun.in(home, Map.of(), "config");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("ctx_size = 2048"), run.out());
    }

    @TestFactory
    List<DynamicTest> documents() throws Exception {
        var tests = new ArrayList<DynamicTest>();
        Map<String, Setup> files = new LinkedHashMap<>();
        files.put("binary", d -> Files.write(d.resolve("blob.dat"), new byte[] {0, 1, 2, 3, 0, (byte) 0xFF, 7, 0}));
        files.put("Latin-1", d -> Files.write(d.resolve("latin.txt"), "Le café était très bon à Genève, près du lac.\n".getBytes(StandardCharsets.ISO_8859_1)));
        files.put("UTF-16", d -> Files.write(d.resolve("wide.txt"), "\uFEFFThe lamp is lit at dusk every evening.\n".getBytes(StandardCharsets.UTF_16LE)));
        files.put("empty", d -> Files.write(d.resolve("empty.txt"), new byte[0]));
        files.put("over the size limit", d -> Files.write(d.resolve("big.txt"), "word ".repeat(2_600_000).getBytes()));
        files.put("encrypted PDF", d -> Corpus.pdf(d.resolve("secret.pdf"), List.of("hidden"), "pw"));
        files.put("truncated PDF", d -> {
            Corpus.pdf(d.resolve("whole.tmp"), List.of("The whole report is here."), null);
            var bytes = Files.readAllBytes(d.resolve("whole.tmp"));
            Files.write(d.resolve("cut.pdf"), Arrays.copyOf(bytes, bytes.length / 3));
            Files.delete(d.resolve("whole.tmp"));
        });
        files.put("garbage PDF", d -> Files.write(d.resolve("junk.pdf"), "%PDF-1.7\n\u0001\u0002 garbage garbage".getBytes()));
        files.put("broken DOCX", d -> Files.write(d.resolve("memo.docx"), "PK\u0003\u0004 this is not a zip".getBytes()));
        files.put("DOCX without its document", d -> {
            try (var zip = new ZipOutputStream(new FileOutputStream(d.resolve("hollow.docx").toFile()))) {
                zip.putNextEntry(new ZipEntry("[Content_Types].xml"));
                zip.write("<Types/>".getBytes());
                zip.closeEntry();
            }
        });
        files.put("symlink loop", d -> {
            Files.createSymbolicLink(d.resolve("loop-a"), d.resolve("loop-b"));
            Files.createSymbolicLink(d.resolve("loop-b"), d.resolve("loop-a"));
            Files.createDirectories(d.resolve("sub"));
            Files.createSymbolicLink(d.resolve("sub/up"), d);
            Files.writeString(d.resolve("sub/real.md"), "Otters hold hands while they sleep.\n");
        });
        files.put("a 10 MB line", d -> Files.write(d.resolve("oneline.txt"), "x".repeat(10_000_000).getBytes()));
        files.put("a newline in the name", d -> Files.writeString(d.resolve("two\nlines.md"), "Storms arrive from the west in autumn.\n"));
        files.put("NUL bytes in text", d -> Files.write(d.resolve("nul.txt"), "Ships\u0000 sail\u0000 at dawn.\n".getBytes()));
        for (var entry : files.entrySet()) {
            tests.add(DynamicTest.dynamicTest(entry.getKey(), () -> assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
                var home = freshHome();
                config(home, "[retrieval]\nmax_file_mb = 12\n");
                var docs = Files.createDirectories(home.resolve("docs"));
                entry.getValue().in(docs);
                var run = CliRun.in(home, Map.of(), "index", "--json", docs.toString());
                assertEquals(0, run.code(), "a bad document is skipped, never fatal: " + run.err());
                assertClean(run);
                var summary = run.json();
                int seen = summary.get("filesSeen").asInt();
                assertEquals(seen, summary.get("indexed").asInt() + summary.get("skipped").size(), "every file is indexed or skipped with a reason: " + summary);
                summary.get("skipped").forEach(s -> assertFalse(s.get("reason").asText().isBlank()));
                var again = CliRun.in(home, Map.of(), "index", "--json", docs.toString());
                assertEquals(0, again.code(), again.err());
                assertEquals(0, again.json().get("indexed").asInt(), "nothing is read twice");
            })));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> queries() throws Exception {
        var cases = new ArrayList<Case>();
        Setup indexed = home -> {
            var docs = Files.createDirectories(home.resolve("docs"));
            Files.writeString(docs.resolve("lamp.md"), "The lamp of the lighthouse is lit at dusk.\n");
            assertEquals(0, CliRun.in(home, Map.of(), "index", docs.toString()).code());
        };
        cases.add(fails("Lucene syntax", 0, "", indexed, "search", "title:(lamp AND \"dusk", "+-*?~^", "NOT", "OR"));
        cases.add(fails("empty", 0, "", indexed, "search", ""));
        cases.add(fails("100 KB", 0, "", indexed, "search", "lamp dusk ".repeat(10_000) + "x".repeat(1000)));
        cases.add(fails("a leading dash", 2, "put -- before it: ragdesk search -- -dash", indexed, "search", "-dash"));
        cases.add(fails("a leading dash after --", 0, "", indexed, "search", "--", "-lamp"));
        return tests(cases);
    }

    @TestFactory
    List<DynamicTest> storedState() throws Exception {
        var cases = new ArrayList<Case>();
        cases.add(fails("a damaged index", 1, "is damaged", home -> {
            var docs = Files.createDirectories(home.resolve("docs"));
            Files.writeString(docs.resolve("lamp.md"), "The lamp is lit at dusk.\n");
            assertEquals(0, CliRun.in(home, Map.of(), "index", docs.toString()).code());
            try (var list = Files.list(home.resolve("index"))) {
                for (var f : list.filter(p -> p.getFileName().toString().startsWith("segments_")).toList()) Files.writeString(f, "garbage");
            }
        }, "search", "lamp"));
        cases.add(fails("index/ is a file", 1, "is a file", home -> {
            Files.writeString(home.resolve("index"), "not a folder");
            Files.writeString(Files.createDirectories(home.resolve("docs")).resolve("a.md"), "text\n");
        }, "index", "HOME/docs"));
        cases.add(fails("index/ is a file, searched", 1, "is a file", home -> Files.writeString(home.resolve("index"), "not a folder"),
                "search", "lamp"));
        for (var garbage : List.of("null", "{", "[]", "{\"pid\":\"x\"}", "{\"pid\":-1}", "\u0000\u0001")) {
            cases.add(fails("state.json " + garbage.replace("\u0000", "NUL"), 0, "running: none",
                    home -> Files.writeString(Files.createDirectories(home.resolve(".data")).resolve("state.json"), garbage), "status"));
        }
        cases.add(fails("--home is a file", 1, "is a file, not a folder", home -> {}, "--home", "FILE", "status"));
        cases.add(fails(".data/sessions is a file", 1, "sessions is a file", home -> {
            Files.createDirectories(home.resolve(".data"));
            Files.writeString(home.resolve(".data/sessions"), "oops");
        }, "status"));
        cases.add(fails(".data is a file", 1, ".data is a file", home -> Files.writeString(home.resolve(".data"), "oops"), "status"));
        return tests(cases);
    }

    /** Torn and foreign lines in saved conversations: the line REPL still opens them, and nothing stored is lost. */
    @org.junit.jupiter.api.Test
    void savedConversationsWithTornOrForeignLinesOpen() throws Exception {
        var home = freshHome();
        var sessions = Files.createDirectories(home.resolve(".data/sessions"));
        var good = "{\"role\":\"user\",\"text\":\"kept\",\"mode\":\"chat\",\"citations\":[],\"at\":\"t\"}\n";
        Files.writeString(sessions.resolve("20260101-000000-000.jsonl"), good + "{\"note\":\"foreign\"}\nnull\n" + good.replace("kept", "torn").substring(0, 30));
        var in = System.in;
        try {
            System.setIn(new ByteArrayInputStream("/sessions\n/open 1\n/quit\n".getBytes()));
            var run = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliRun.in(home, Map.of(), "chat"));
            assertEquals(0, run.code(), run.err());
            assertClean(run);
        } finally {
            System.setIn(in);
        }
        assertEquals(good + "{\"note\":\"foreign\"}\nnull\n", Files.readString(sessions.resolve("20260101-000000-000.jsonl")),
                "complete lines kept, the torn tail cut");
    }

    @TestFactory
    List<DynamicTest> hubAnswers() throws Exception {
        var cases = new ArrayList<Case>();
        var body = "weights".repeat(1000).getBytes();
        var sha = sha256(body);
        ROUTES.put("/o/missing/", r -> new MockResponse().setResponseCode(404));
        ROUTES.put("/api/models/o/missing", r -> new MockResponse().setResponseCode(404));
        ROUTES.put("/o/private/", r -> new MockResponse().setResponseCode(401));
        ROUTES.put("/o/broken/", r -> new MockResponse().setResponseCode(500).addHeader("Retry-After", "0"));
        ROUTES.put("/o/busy-head/", once(r -> new MockResponse().setResponseCode(429).addHeader("Retry-After", "0"), file(body, sha)));
        ROUTES.put("/o/busy-get/", r -> r.getMethod().equals("HEAD") ? file(body, sha).apply(r) : ROUTES.get("/o/busy-get-body").apply(r));
        ROUTES.put("/o/busy-get-body", once(r -> new MockResponse().setResponseCode(429).addHeader("Retry-After", "0"), file(body, sha)));
        var cutOnce = once(r -> file(body, sha).apply(r).setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY), file(body, sha));
        ROUTES.put("/o/short/", r -> r.getMethod().equals("HEAD") ? file(body, sha).apply(r) : cutOnce.apply(r));
        ROUTES.put("/o/mismatch/", file(body, "0".repeat(64)));
        var endpoint = Map.of("HF_ENDPOINT", hub.url("/").toString());
        cases.add(failsWith("404", endpoint, 1, "not found on the hub", home -> {}, "download", "o/missing:m.gguf"));
        cases.add(failsWith("401", endpoint, 1, "set HF_TOKEN", home -> {}, "download", "o/private:m.gguf"));
        cases.add(failsWith("500", endpoint, 1, "failed 6 times (HTTP 500)", home -> {}, "download", "o/broken:m.gguf"));
        cases.add(failsWith("429 on HEAD, then served", endpoint, 0, "", home -> {}, "download", "o/busy-head:m.gguf"));
        cases.add(failsWith("429 on GET, then served", endpoint, 0, "", home -> {}, "download", "o/busy-get:m.gguf"));
        cases.add(failsWith("short body, then resumed", endpoint, 0, "", home -> {}, "download", "o/short:m.gguf"));
        cases.add(failsWith("sha mismatch", endpoint, 1, "sha256", home -> {}, "download", "o/mismatch:m.gguf"));
        cases.add(failsWith("a bad URL", Map.of("HF_ENDPOINT", "not-a-url"), 1, "HF_ENDPOINT is not an http(s) URL", home -> {}, "download", "o/m:m.gguf"));
        cases.add(failsWith("connection refused", Map.of("HF_ENDPOINT", "http://127.0.0.1:1"), 1, "cannot reach", home -> {}, "download", "o/m:m.gguf"));
        return tests(cases);
    }

    // --- running and judging -------------------------------------------------------------

    private List<DynamicTest> tests(List<Case> cases) {
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            var home = freshHome();
            c.setup().in(home);
            var args = new ArrayList<String>();
            for (var a : c.args()) {
                args.add(a.equals("FILE") ? Files.writeString(home.resolve("a-file"), "x").toString()
                        : a.startsWith("HOME/") ? home.resolve(a.substring(5)).toString() : a);
            }
            var run = args.contains("--home") ? CliRun.exec(c.env(), args.toArray(String[]::new))
                    : CliRun.in(home, c.env(), args.toArray(String[]::new));
            assertEquals(c.exit(), run.code(), "exit code; stderr: " + run.err() + " stdout: " + run.out());
            assertClean(run);
            if (!c.says().isEmpty()) {
                var text = c.exit() == 0 ? run.out() : run.err();
                var lines = text.strip().lines().filter(l -> l.contains(c.says())).toList();
                assertEquals(1, lines.size(), "said once, on one line: " + text);
                if (c.exit() != 0) assertEquals(lines.get(0), text.strip().lines().reduce((a, b) -> b).orElse(""), "the last word is the reason: " + text);
            }
        }))).toList();
    }

    /** No stack trace, no catch-all, on either stream. */
    static void assertClean(CliRun run) {
        for (var text : List.of(run.out(), run.err())) {
            assertFalse(text.contains("\tat "), "no stack trace: " + text);
            assertFalse(text.contains("internal error"), "no catch-all: " + text);
            assertFalse(text.contains("unexpected error"), "no catch-all: " + text);
            assertFalse(text.matches("(?s).*\\b\\w+(Exception|Error)\\b.*"), "no exception names: " + text);
            assertFalse(text.contains("Usage:"), "no usage block: " + text);
        }
    }

    private static Path freshHome() throws Exception {
        return Files.createDirectories(root.resolve("home" + homes.incrementAndGet()));
    }

    private static void config(Path home, String toml) throws Exception {
        Files.writeString(home.resolve("config.toml"), toml);
    }

    private static void chatModel(Path home, Path model) throws Exception {
        config(home, "[models.chat]\npath = \"" + model + "\"\n");
    }

    private static void wav(Path home, int rate, int channels, int bits, int dataBytes) throws Exception {
        var b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        int blockAlign = Math.max(1, channels) * bits / 8;
        b.put("RIFF".getBytes()).putInt(36 + dataBytes).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) channels).putInt(rate).putInt(rate * blockAlign)
                .putShort((short) blockAlign).putShort((short) bits).put("data".getBytes()).putInt(dataBytes);
        for (int i = 0; i < dataBytes; i++) b.put((byte) (bits == 8 ? 128 + (int) (60 * Math.sin(i / 7.0)) : (i % 2 == 0 ? i : 0)));
        Files.write(home.resolve("a.wav"), b.array());
    }

    private static Function<RecordedRequest, MockResponse> file(byte[] body, String sha) {
        return r -> {
            var response = new MockResponse().addHeader("X-Linked-Size", body.length).addHeader("X-Linked-Etag", "\"" + sha + "\"")
                    .addHeader("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567");
            return r.getMethod().equals("HEAD") ? response : response.setBody(new Buffer().write(body));
        };
    }

    /** {@code first} for the first request, {@code then} for every later one. */
    private static Function<RecordedRequest, MockResponse> once(Function<RecordedRequest, MockResponse> first,
                                                                Function<RecordedRequest, MockResponse> then) {
        var used = new AtomicBoolean();
        return r -> used.getAndSet(true) ? then.apply(r) : first.apply(r);
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

}
