package dev.ragdesk.engine.server;

import dev.ragdesk.bench.HoldBareServerMain;
import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.testing.LlamaServerBinary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A census of what an app started, taken while it runs, then a kill -9 of the app: every
 * process it started must end with it, so no server keeps (GPU) memory that nobody can reach.
 * For the engine's servers and for the benchmarks' bare one alike.
 */
@Timeout(120)
class ServerWatchdogTest {
    @TempDir Path dir;

    @Test
    void aKilledAppTakesItsServerAndItsWatchdogWithIt() throws Exception {
        killAndCount(HoldServerMain.class);
    }

    @Test
    void aKilledBenchTakesItsBareServerWithIt() throws Exception {
        killAndCount(HoldBareServerMain.class);
    }

    private void killAndCount(Class<?> main) throws Exception {
        var binary = LlamaServerBinary.require();
        var model = SyntheticGguf.llama().writeTo(dir.resolve("m.gguf"));
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var app = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), main.getName(),
                binary.toString(), model.toString(), dir.resolve("run").toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        List<ProcessHandle> started;
        long serverPid;
        try {
            var out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
            serverPid = Long.parseLong(lineStartingWith(out, "server "));
            started = app.descendants().toList();
        } catch (RuntimeException | IOException e) {
            app.destroyForcibly();
            throw e;
        }
        try {
            var server = ProcessHandle.of(serverPid).orElseThrow(() -> new AssertionError("no server process " + serverPid));
            assertTrue(server.info().command().orElse("").endsWith("llama-server"), "the server runs as itself: " + server.info());
            assertTrue(started.contains(server), "the census holds the server");
            assertEquals(2, started.size(), "the server and its watchdog, nothing else: " + started.stream().map(ProcessHandle::info).toList());
            app.destroyForcibly(); // SIGKILL: no shutdown hook, no close() runs
            assertTrue(app.waitFor(30, TimeUnit.SECONDS));
            for (var p : started) {
                p.onExit().get(30, TimeUnit.SECONDS);
                assertFalse(p.isAlive(), p.info() + " outlived the app");
            }
        } finally {
            started.forEach(ProcessHandle::destroyForcibly); // a failed run must not leave a server behind
        }
    }

    private static String lineStartingWith(BufferedReader out, String prefix) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(prefix)) return line.substring(prefix.length()).trim();
        }
        throw new AssertionError("the app ended before printing \"" + prefix + "\"");
    }
}
