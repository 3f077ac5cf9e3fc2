package dev.ragdesk.engine.server;

import dev.ragdesk.bench.SyntheticGguf;
import dev.ragdesk.testing.LlamaServerBinary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The guarantee behind the watchdog: when the app dies by kill -9, the llama-server it started
 * does not live on holding (GPU) memory, and the helpers kept ready for the next server exit too.
 */
@Timeout(120)
class ServerWatchdogTest {
    @TempDir Path dir;

    @Test
    void aKilledAppTakesItsServerAndItsSpareHelpersWithIt() throws Exception {
        var binary = LlamaServerBinary.require();
        var model = SyntheticGguf.llama().writeTo(dir.resolve("m.gguf"));
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var app = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), HoldServerMain.class.getName(),
                binary.toString(), model.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long serverPid;
        long sparePid;
        long slotPid;
        try {
            var out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
            serverPid = Long.parseLong(lineStartingWith(out, "server "));
            sparePid = Long.parseLong(lineStartingWith(out, "spare "));
            slotPid = Long.parseLong(lineStartingWith(out, "slot "));
        } catch (RuntimeException | java.io.IOException e) {
            app.destroyForcibly();
            throw e;
        }
        var server = ProcessHandle.of(serverPid).orElseThrow(() -> new AssertionError("no server process " + serverPid));
        assertTrue(server.info().command().orElse("").endsWith("llama-server"), server.info().toString());
        assertTrue(sparePid > 0, "a watchdog was kept ready for the next server");
        var spare = ProcessHandle.of(sparePid).orElseThrow(() -> new AssertionError("no spare watchdog " + sparePid));
        assertTrue(slotPid > 0, "a shell was kept ready to become the next server");
        var slot = ProcessHandle.of(slotPid).orElseThrow(() -> new AssertionError("no spare server slot " + slotPid));

        try {
            app.destroyForcibly(); // SIGKILL: no shutdown hook, no close() runs
            assertTrue(app.waitFor(30, TimeUnit.SECONDS));
            server.onExit().get(30, TimeUnit.SECONDS);
            assertFalse(server.isAlive(), "the server went with the app");
            spare.onExit().get(30, TimeUnit.SECONDS);
            assertFalse(spare.isAlive(), "the spare watchdog, which guarded nothing yet, exited too");
            slot.onExit().get(30, TimeUnit.SECONDS);
            assertFalse(slot.isAlive(), "the spare server slot, which ran nothing yet, exited too");
        } finally {
            server.destroyForcibly(); // a failed run must not leave a server behind
            spare.destroyForcibly();
            slot.destroyForcibly();
        }
    }

    private static String lineStartingWith(BufferedReader out, String prefix) throws java.io.IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(prefix)) return line.substring(prefix.length()).trim();
        }
        throw new AssertionError("the app ended before printing \"" + prefix + "\"");
    }
}
