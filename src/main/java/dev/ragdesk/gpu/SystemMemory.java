package dev.ragdesk.gpu;

import com.sun.management.OperatingSystemMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** System RAM from /proc/meminfo (Linux); the JVM's own view elsewhere. */
public final class SystemMemory {
    private SystemMemory() {}

    /** {total, available} in bytes. */
    public static long[] read() {
        try {
            long total = -1;
            long available = -1;
            for (var line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) total = kib(line);
                else if (line.startsWith("MemAvailable:")) available = kib(line);
            }
            if (total > 0 && available >= 0) return new long[] {total, available};
        } catch (IOException | RuntimeException ignored) {
            // fall through
        }
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof OperatingSystemMXBean bean) {
            return new long[] {bean.getTotalMemorySize(), bean.getFreeMemorySize()};
        }
        return new long[] {-1, -1};
    }

    private static long kib(String line) {
        return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
    }
}
