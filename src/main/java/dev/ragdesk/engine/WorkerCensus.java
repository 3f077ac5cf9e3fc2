package dev.ragdesk.engine;

import dev.ragdesk.engine.server.LlamaServers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Counts this process's model workers from the operating system's view, not the host's
 * bookkeeping: worker processes among our descendants, and those of them that map a GGUF file
 * (llama.cpp memory-maps the model, so a mapping means the process holds model memory).
 */
public final class WorkerCensus {
    private WorkerCensus() {}

    /** @param holdingModel workers with a .gguf mapped; -1 where /proc is not available */
    public record Count(int workers, int holdingModel, List<Long> pids) {}

    public static Count now() {
        var pids = ProcessHandle.current().descendants()
                .filter(p -> !hasExited(p.pid()) && isWorker(p))
                .map(ProcessHandle::pid)
                .toList();
        int holding = 0;
        for (var pid : pids) {
            int mapped = mapsGguf(pid);
            if (mapped < 0) { holding = -1; break; }
            holding += mapped;
        }
        return new Count(pids.size(), holding, pids);
    }

    /** A java-llama.cpp worker JVM, or a llama-server. */
    private static boolean isWorker(ProcessHandle p) {
        var args = arguments(p.pid());
        return args.contains(WorkerLauncher.workerMainClass())
                || (!args.isEmpty() && args.get(0).endsWith("/" + LlamaServers.BINARY));
    }

    /**
     * A process's command line from /proc, else from ProcessHandle. The JDK gives up on long
     * command lines (a test classpath), which /proc still holds whole.
     */
    public static List<String> arguments(long pid) {
        try {
            var raw = Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline"));
            return List.of(new String(raw, StandardCharsets.UTF_8).split("\0"));
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.of(pid).flatMap(h -> h.info().arguments()).map(List::of).orElse(List.of());
        }
    }

    /** 1 if the process maps a .gguf file, 0 if not (or it is gone), -1 if this OS has no /proc maps. */
    static int mapsGguf(long pid) {
        var maps = Path.of("/proc", String.valueOf(pid), "maps");
        if (!Files.exists(Path.of("/proc/self/maps"))) return -1;
        try (var lines = Files.lines(maps)) {
            return lines.anyMatch(l -> l.endsWith(".gguf")) ? 1 : 0;
        } catch (IOException | UncheckedIOException e) {
            return 0;
        }
    }

    /**
     * True once the process has ended. A zombie counts as ended: it holds no memory, and in a
     * container whose init is slow to reap, ProcessHandle.isAlive() still says true for it.
     */
    public static boolean hasExited(long pid) {
        var handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) return true;
        try {
            var stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state == 'Z' || state == 'X';
        } catch (IOException | RuntimeException e) {
            return !handle.get().isAlive();
        }
    }

    /** Resident set size of a process in bytes from /proc, or -1 where unavailable. */
    public static long rssBytes(long pid) {
        try (var lines = Files.lines(Path.of("/proc", String.valueOf(pid), "status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:"))
                    .mapToLong(l -> Long.parseLong(l.replaceAll("\\D+", "")) * 1024)
                    .findFirst().orElse(-1);
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            return -1;
        }
    }
}
