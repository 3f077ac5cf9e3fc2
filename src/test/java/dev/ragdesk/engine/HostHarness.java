package dev.ragdesk.engine;

import dev.ragdesk.process.JvmCommand;
import dev.ragdesk.models.SyntheticGguf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** A real ModelHost over real worker processes, with its events recorded for assertions. */
public final class HostHarness implements AutoCloseable {
    public final Path dir;
    final BlockingQueue<EngineEvent> events = new LinkedBlockingQueue<>();
    final List<EngineEvent> history = new CopyOnWriteArrayList<>();
    public final ModelHost host;

    public HostHarness(Path dir, boolean prestart) throws Exception {
        this(dir, ModelHost.Options.defaults().withPrestart(prestart));
    }

    public HostHarness(Path dir, ModelHost.Options options) throws Exception {
        this.dir = dir;
        var tmp = Files.createDirectories(dir.resolve("tmp"));
        var natives = NativeLibrary.extractBundled(tmp, "test").orElse(null);
        var launcher = new WorkerLauncher(JvmCommand.current(), tmp.resolve("llama"), natives);
        host = new ModelHost(launcher, e -> { events.add(e); history.add(e); },
                options);
    }

    public Path tinyModel(String name, long seed) throws Exception {
        return SyntheticGguf.llama().seed(seed).writeTo(dir.resolve(name));
    }

    public static ModelRequest request(String role, Path file) {
        return request(role, file, 1024);
    }

    public static ModelRequest request(String role, Path file, int ctx) {
        return new ModelRequest(role, ModelRequest.displayNameOf(file), file, ctx, 0, 2, false);
    }

    public static GenerateRequest greedy(String prompt, int maxTokens) {
        return new GenerateRequest(prompt, maxTokens, 0.0, 1, List.of());
    }

    /** Waits for the next event of a type, failing after a generous bound. */
    public <T extends EngineEvent> T await(Class<T> type) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            var e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (type.isInstance(e)) return type.cast(e);
        }
        fail("no " + type.getSimpleName() + " event; saw " + history);
        return null;
    }

    @Override
    public void close() {
        host.close();
    }
}
