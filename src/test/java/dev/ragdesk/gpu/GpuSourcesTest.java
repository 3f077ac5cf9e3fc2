package dev.ragdesk.gpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

class GpuSourcesTest {
    static final long MIB = 1L << 20;

    /** One GPU, exactly as nvidia-smi printed it on the H200 of this project's device check (2026-11-27). */
    static final String H200 = "0, GPU-9cd1e7ea-d8c7-81d5-cbe0-56f3dcf351df, NVIDIA H200, 143771, 0, 143156, 0\n";
    /**
     * Two consumer cards with memory in use by three processes, the second card's utilization
     * unreadable; the names and free figures are those of a public report (clEsperanto/CLIc#89).
     */
    static final String TWO_GPUS = """
            0, GPU-e18afb8d-1627-f8ff-2ba3-c05c5a8e9e67, NVIDIA GeForce GTX 1660 Ti, 5944, 1878, 3891, 37
            1, GPU-aa11bb22-cc33-dd44-ee55-ff6677889900, NVIDIA GeForce GTX 1050 Ti, 4096, 1965, 2131, [N/A]
            """;
    static final String TWO_GPU_APPS = """
            GPU-e18afb8d-1627-f8ff-2ba3-c05c5a8e9e67, 4242, 1700
            GPU-aa11bb22-cc33-dd44-ee55-ff6677889900, 5151, [N/A]
            GPU-aa11bb22-cc33-dd44-ee55-ff6677889900, 6161, 1900
            """;

    @Test
    void parsesASingleGpu() {
        var devices = NvidiaSmiSource.parse(H200, "");
        assertEquals(1, devices.size());
        var d = devices.get(0);
        assertEquals("NVIDIA H200", d.name());
        assertEquals(143771 * MIB, d.totalBytes());
        assertEquals(143156 * MIB, d.freeBytes());
        assertEquals(0, d.utilization());
        assertTrue(d.processes().isEmpty());
    }

    @Test
    void parsesSeveralGpusWithNotAvailableFields() {
        var devices = NvidiaSmiSource.parse(TWO_GPUS, TWO_GPU_APPS);
        assertEquals(2, devices.size());
        assertEquals(1878 * MIB, devices.get(0).usedBytes());
        assertEquals(37, devices.get(0).utilization());
        assertEquals(-1, devices.get(1).utilization(), "[N/A] reads as unknown");
        assertEquals(Map.of(4242L, 1700 * MIB), devices.get(0).processes());
        assertEquals(Map.of(5151L, 0L, 6161L, 1900 * MIB), devices.get(1).processes());
        var sample = new GpuSample("nvidia-smi", devices, 1, 1);
        assertEquals(1900 * MIB, sample.gpuBytesOf(Set.of(6161L)), "our worker's share");
        assertEquals(3891 * MIB, sample.largestFreeBytes());
    }

    @Test
    void derivesMissingFreeOrUsedAndSkipsGarbage() {
        var devices = NvidiaSmiSource.parse("0, GPU-x, Tesla T4, 15360, 2000, [N/A], [Not Supported]\nNo devices were found\n\n", "");
        assertEquals(1, devices.size());
        assertEquals((15360 - 2000) * MIB, devices.get(0).freeBytes());
    }

    @Test
    void fallsBackFromNvmlToNvidiaSmiToNone(@TempDir Path dir) throws Exception {
        // no NVML on this machine (no driver): the first source fails to open
        var bin = Files.createDirectories(dir.resolve("bin"));
        var flag = dir.resolve("driver-present");
        Files.writeString(flag, "yes");
        fakeNvidiaSmi(bin, flag);
        var env = Map.of("PATH", bin + ":/usr/bin:/bin");
        try (var monitor = GpuMonitor.standard(env)) {
            var first = monitor.sample();
            assertEquals("nvidia-smi", first.source(), "NVML is missing here, so nvidia-smi is next");
            assertEquals("NVIDIA GeForce GTX 1660 Ti", first.devices().get(0).name());
            assertEquals(Map.of(4242L, 1700 * MIB), first.devices().get(0).processes());

            Files.delete(flag); // the driver goes away mid-run
            var second = monitor.sample();
            assertEquals("none", second.source());
            assertFalse(second.hasGpu());
            assertTrue(second.ramTotalBytes() > 0 && second.ramAvailableBytes() > 0, "RAM is still shown");
        }
        try (var monitor = GpuMonitor.standard(Map.of("PATH", dir.resolve("empty").toString()))) {
            assertEquals("none", monitor.sample().source(), "no NVML, no nvidia-smi");
        }
    }

    @Test
    void backgroundSamplingDeliversSamples() throws Exception {
        var samples = new LinkedBlockingQueue<GpuSample>();
        try (var monitor = new GpuMonitor(List.of())) {
            monitor.start(Duration.ofMillis(20), samples::add);
            var s = samples.poll(10, TimeUnit.SECONDS);
            assertNotNull(s);
            assertEquals("none", s.source());
        }
    }

    /** A stand-in for nvidia-smi at the process boundary: prints real-format CSV while the flag file exists. */
    private static void fakeNvidiaSmi(Path bin, Path flag) throws Exception {
        var script = bin.resolve("nvidia-smi");
        Files.writeString(script, """
                #!/bin/sh
                [ -f '%s' ] || { echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."; exit 9; }
                case "$1" in
                  --query-gpu=*) cat <<'CSV'
                %sCSV
                ;;
                  --query-compute-apps=*) cat <<'CSV'
                %sCSV
                ;;
                esac
                """.formatted(flag, TWO_GPUS, TWO_GPU_APPS));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
