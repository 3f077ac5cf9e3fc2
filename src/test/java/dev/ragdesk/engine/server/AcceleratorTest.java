package dev.ragdesk.engine.server;

import dev.ragdesk.gpu.CudaHost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The decision on a machine whose GPU answers, which this one cannot be: the device list is the
 * boundary, played by a script in llama-server's place that lists an H100 only when it is started
 * with the backend and the CUDA folders in its environment, as the real one would load them.
 */
class AcceleratorTest {
    @TempDir Path dir;

    private Path install(String listing) throws Exception {
        var folder = Files.createDirectories(dir.resolve("install"));
        var binary = folder.resolve("llama-server");
        Files.writeString(binary, "#!/bin/sh\n" + listing + "\n");
        binary.toFile().setExecutable(true);
        Files.createDirectories(folder.resolve("cuda"));
        Files.writeString(folder.resolve(GpuBackend.CUDA13.library()), "");
        Files.writeString(folder.resolve(GpuBackend.MARKER), GpuBackend.CUDA13.markerText());
        return binary;
    }

    private CudaHost gpuHost(Map<String, String> env) throws Exception {
        var root = dir.resolve("root");
        Files.createDirectories(root.resolve("proc/driver/nvidia"));
        Files.writeString(root.resolve("proc/driver/nvidia/version"), "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Release Build\n");
        Files.createDirectories(root.resolve("dev"));
        Files.writeString(root.resolve("dev/nvidia0"), "");
        var wheel = root.resolve("venv/lib/python3.11/site-packages/nvidia/cu13/lib");
        Files.createDirectories(wheel);
        for (var name : List.of("libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13")) Files.writeString(wheel.resolve(name), "");
        return new CudaHost(root, env, () -> "");
    }

    @Test
    void aListedDeviceLoadsTheBackendWithItsLibrariesFirst() throws Exception {
        var env = Map.of("VIRTUAL_ENV", "/venv", "LD_LIBRARY_PATH", "/opt/mine");
        var binary = install("case \"$GGML_BACKEND_PATH:$LD_LIBRARY_PATH\" in\n"
                + "  */cuda/libggml-cuda.so:/venv/lib/python3.11/site-packages/nvidia/cu13/lib:/opt/mine)\n"
                + "    printf 'Available devices:\\n  CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80520 MiB free)\\n' ;;\n"
                + "  *) printf 'Available devices:\\n  (none)\\n' ;;\nesac");
        var accelerator = Accelerator.decide(binary, gpuHost(env), env);
        assertEquals("cuda13", accelerator.label());
        assertTrue(accelerator.onGpu());
        assertEquals(binary.resolveSibling("cuda/libggml-cuda.so").toString(), accelerator.environment().get("GGML_BACKEND_PATH"));
        assertEquals("/venv/lib/python3.11/site-packages/nvidia/cu13/lib:/opt/mine", accelerator.environment().get("LD_LIBRARY_PATH"),
                "the CUDA libraries found, then what the user had");
        assertEquals("CUDA 13: CUDA0: NVIDIA H100 80GB HBM3 (81079 MiB, 80520 MiB free) (libcudart.so.13 from Python's nvidia wheels, "
                + "libcublas.so.13 from Python's nvidia wheels, libcublasLt.so.13 from Python's nvidia wheels)", accelerator.line());
    }

    @Test
    void aBuildWithoutAGpuModuleOnAGpuHostSaysHowToGetOne() throws Exception {
        var binary = dir.resolve("plain/llama-server");
        Files.createDirectories(binary.getParent());
        Files.writeString(binary, "#!/bin/sh\nprintf 'Available devices:\\n  (none)\\n'\n");
        binary.toFile().setExecutable(true);
        var accelerator = Accelerator.decide(binary, gpuHost(Map.of()), Map.of());
        assertEquals("cpu", accelerator.label());
        assertEquals("this llama-server has no GPU backend (a CPU build): `ragdesk engine install --backend cuda` lays the prebuilt one beside it",
                accelerator.line());
    }
}
