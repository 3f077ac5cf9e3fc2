package dev.ragdesk.gpu;

import dev.ragdesk.io.UserPaths;
import dev.ragdesk.process.Threads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Samples GPU memory from the first source that works: NVML through JNA, then nvidia-smi,
 * then none (system RAM only, so the meter is never empty). A source that fails mid-run, say
 * when the driver goes away, is dropped for the next one without crashing.
 */
public final class GpuMonitor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GpuMonitor.class);

    /** Opens a source, or throws when it is not available here. */
    public interface SourceFactory {
        GpuSource open() throws Exception;
    }

    private final List<SourceFactory> remaining;
    private GpuSource current;
    private boolean exhausted;
    private ScheduledExecutorService timer;

    public GpuMonitor(List<SourceFactory> sources) {
        this.remaining = new ArrayList<>(sources);
    }

    /** The variable that picks the sources: "auto" (the default), "nvml", "nvidia-smi" or "none". */
    public static final String SOURCE_ENV = "RAGDESK_GPU";

    /**
     * NVML, then nvidia-smi if it is on {@code PATH}; {@code RAGDESK_GPU} narrows that to one
     * source or to none (system RAM only), for a driver that misbehaves, and for tests.
     */
    public static GpuMonitor standard(Map<String, String> env) {
        var wanted = env.getOrDefault(SOURCE_ENV, "auto").trim().toLowerCase(Locale.ROOT);
        var sources = new ArrayList<SourceFactory>();
        if (wanted.equals("none")) return new GpuMonitor(sources);
        if (!wanted.equals("nvidia-smi")) sources.add(NvmlSource::new);
        if (wanted.equals("nvml")) return new GpuMonitor(sources);
        UserPaths.onPath("nvidia-smi", env).ifPresent(smi -> sources.add(() -> {
            var source = new NvidiaSmiSource(smi.toString());
            source.read(); // prove it answers before choosing it
            return source;
        }));
        return new GpuMonitor(sources);
    }

    /** One reading from the standard sources, for commands that need a single look. */
    public static GpuSample sampleOnce(Map<String, String> env) {
        try (var monitor = standard(env)) {
            return monitor.sample();
        }
    }

    /** The current reading; never throws. */
    public synchronized GpuSample sample() {
        var ram = SystemMemory.read();
        while (true) {
            if (current == null && !openNext()) return new GpuSample("none", List.of(), ram[0], ram[1]);
            try {
                return new GpuSample(current.name(), List.copyOf(current.read()), ram[0], ram[1]);
            } catch (Exception | LinkageError e) {
                log.warn("GPU source {} failed ({}); trying the next one", current.name(), e.toString());
                current.close();
                current = null;
            }
        }
    }

    /** Samples every {@code period} on a daemon thread and hands each sample to {@code listener}. */
    public synchronized void start(Duration period, Consumer<GpuSample> listener) {
        if (timer != null) return;
        timer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("gpu-monitor"));
        timer.scheduleWithFixedDelay(() -> {
            try {
                listener.accept(sample());
            } catch (RuntimeException e) {
                log.warn("GPU sample listener failed", e);
            }
        }, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private boolean openNext() {
        if (exhausted) return false;
        while (!remaining.isEmpty()) {
            var factory = remaining.remove(0);
            try {
                current = factory.open();
                log.info("GPU memory source: {}", current.name());
                return true;
            } catch (Exception | LinkageError e) {
                log.info("GPU source not available: {}", e.toString());
            }
        }
        exhausted = true;
        return false;
    }

    @Override
    public synchronized void close() {
        if (timer != null) timer.shutdownNow();
        if (current != null) current.close();
        current = null;
    }
}
