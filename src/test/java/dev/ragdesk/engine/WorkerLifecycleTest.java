package dev.ragdesk.engine;

import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.process.JvmCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

class WorkerLifecycleTest {

    @TempDir Path dir;

    @Test
    void workerExitsWithin2sWhenItsHostIsKilled() throws Exception {
        var model = SyntheticGguf.llama().writeTo(dir.resolve("m.gguf"));
        var cmd = JvmCommand.current().build(List.of("-Xmx128m"), HostProbe.class.getName(),
                List.of(dir.toString(), model.toString()));
        var hostProcess = new ProcessBuilder(cmd).redirectError(dir.resolve("host-err.txt").toFile()).start();
        try {
            var out = new BufferedReader(new InputStreamReader(hostProcess.getInputStream()));
            String line;
            long workerPid = -1;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("worker=")) {
                    workerPid = Long.parseLong(line.substring(7));
                    break;
                }
            }
            assertTrue(workerPid > 0, "the host child loaded a model");
            assertFalse(WorkerCensus.hasExited(workerPid));

            hostProcess.destroyForcibly(); // SIGKILL: no shutdown hooks, no goodbye
            hostProcess.waitFor();
            // The OS sends no exit notice for a grandchild, so poll its state up to the bound.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (!WorkerCensus.hasExited(workerPid) && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            assertTrue(WorkerCensus.hasExited(workerPid), "the orphaned worker exited by itself within 2 s");
        } finally {
            hostProcess.destroyForcibly();
        }
    }
}
