package dev.ragdesk.engine.server;

import dev.ragdesk.engine.GenerateRequest;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.engine.ModelRequest;
import dev.ragdesk.gpu.CudaHost;
import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.testing.LlamaServerBinary;
import dev.ragdesk.testing.StubCuda;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The prebuilt CUDA backend in the locally built llama-server, on a machine with no GPU. The
 * backend, the CUDA runtime, the dynamic loader and llama-server are real; the driver and cuBLAS
 * are stand-ins compiled from what the backend imports ({@link StubCuda}), and the driver's
 * files under /proc and /dev are laid out in a folder. Which libraries a server really mapped is
 * read from the kernel ({@code /proc/<pid>/maps}), not from ragdesk.
 */
@Timeout(180)
class PrebuiltBackendTest {
    static Path server;
    static Path stubs;
    @TempDir static Path shared;
    @TempDir Path dir;
    ModelHost host;

    @BeforeAll
    static void prepare() throws Exception {
        server = LlamaServerBinary.requirePrebuilt(EngineInstaller.prebuiltKey(GpuBackend.CUDA13));
        StubCuda.require();
        stubs = StubCuda.build(server.resolveSibling(GpuBackend.CUDA13.library()), shared.resolve("stubs"));
    }

    @AfterEach
    void close() {
        if (host != null) host.close();
    }

    /** A machine with driver 580 and a device node, as a GPU host whose card has gone. */
    private Path gpuHostFiles() throws Exception {
        var root = dir.resolve("root");
        Files.createDirectories(root.resolve("proc/driver/nvidia"));
        Files.writeString(root.resolve("proc/driver/nvidia/version"),
                "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Release Build  (dvs-builder@U16-I3-B03-4-3)\n");
        Files.createDirectories(root.resolve("dev"));
        Files.writeString(root.resolve("dev/nvidia0"), "");
        return root;
    }

    /**
     * LD_LIBRARY_PATH naming {@code folders}, which the laid-out host shows at the same paths
     * (links), so what CudaHost finds there is what the real loader loads.
     */
    private Map<String, String> withLibraries(Path root, Path... folders) throws Exception {
        for (var folder : folders) {
            var seen = root.resolve(folder.toString().substring(1));
            if (!Files.exists(seen)) {
                Files.createDirectories(seen.getParent());
                Files.createSymbolicLink(seen, folder.toRealPath());
            }
        }
        return Map.of("LD_LIBRARY_PATH", String.join(":", List.of(folders).stream().map(Path::toString).toList()));
    }

    @Test
    void withoutADriverTheBackendIsNeitherProbedNorLoaded() {
        var accelerator = Accelerator.decide(server, new CudaHost(dir, Map.of(), () -> ""), Map.of());
        assertEquals("cpu", accelerator.label());
        assertEquals(Map.of(), accelerator.environment());
        assertEquals("no NVIDIA driver (no /proc/driver/nvidia/version): the models run on the CPU", accelerator.line());
    }

    @Test
    void thePrebuiltBackendInitialisesInTheLocalBuildAndItsNoDeviceIsOneLine() throws Exception {
        var root = gpuHostFiles();
        var env = withLibraries(root, stubs, StubCuda.CUDART_FOLDER);
        var accelerator = Accelerator.decide(server, new CudaHost(root, env, () -> ""), env);
        // this sentence is the real CUDA runtime's, passed on by the backend's own ggml_cuda_init: the backend loaded and ran
        assertEquals("the CUDA 13 backend found no device (failed to initialize CUDA: no CUDA-capable device is detected), "
                + "so the models run on the CPU", accelerator.line());
        assertEquals("cpu", accelerator.label());
        assertEquals(Map.of(), accelerator.environment(), "a backend that cannot initialise is not loaded");
    }

    @Test
    void aLibraryTheLoaderCannotFindIsNamed() throws Exception {
        var noDriverLibrary = dir.resolve("no-libcuda");
        Files.createDirectories(noDriverLibrary);
        for (var name : List.of("libcublas.so.13", "libcublasLt.so.13")) Files.copy(stubs.resolve(name), noDriverLibrary.resolve(name));
        var root = gpuHostFiles();
        var env = withLibraries(root, noDriverLibrary, StubCuda.CUDART_FOLDER);
        var accelerator = Accelerator.decide(server, new CudaHost(root, env, () -> ""), env);
        assertEquals("cpu", accelerator.label());
        assertEquals("the CUDA 13 backend could not be loaded (libcuda.so.1: cannot open shared object file: No such file or directory), "
                + "so the models run on the CPU", accelerator.line());
    }

    @Test
    void theServerAnswersOnTheCpuWithTheBackendUnmappedAndTheWiringIsReal() throws Exception {
        var model = SyntheticGguf.llama().layers(2).embedding(64).writeTo(dir.resolve("tiny.gguf"));
        var root = gpuHostFiles();
        var env = withLibraries(root, stubs, StubCuda.CUDART_FOLDER);
        var decided = Accelerator.decide(server, new CudaHost(root, env, () -> ""), env);
        var mapped = answerAndReadMaps(decided, model);
        assertTrue(mapped.contains("/libggml-cpu.so"), "the oracle sees the CPU backend: " + mapped);
        assertFalse(mapped.contains("libggml-cuda.so"), "the CUDA backend stayed out of the CPU server");

        // the same server told to load the backend maps it, with the stand-in driver and the real runtime: the wiring is live
        var forced = new Accelerator("cuda13", Map.of("GGML_BACKEND_PATH", server.resolveSibling(GpuBackend.CUDA13.library()).toString(),
                "LD_LIBRARY_PATH", env.get("LD_LIBRARY_PATH")), "forced by the test");
        var forcedMaps = answerAndReadMaps(forced, model);
        assertTrue(forcedMaps.contains(server.resolveSibling(GpuBackend.CUDA13.library()).toString()), forcedMaps);
        assertTrue(forcedMaps.contains(StubCuda.CUDART_FOLDER.resolve("libcudart.so.13").toRealPath().toString()), forcedMaps);
    }

    /** Loads the model in a server started with {@code accelerator}, has it answer, and returns the libraries its process maps. */
    private String answerAndReadMaps(Accelerator accelerator, Path model) throws Exception {
        if (host != null) host.close();
        var launcher = new ServerLauncher(LlamaServers.check(server, "the test"), accelerator, dir.resolve("run"));
        host = new ModelHost(launcher, e -> {}, ModelHost.Options.defaults().withPrestart(false));
        var active = host.activate(new ModelRequest("chat", "tiny", model, 256, 0, 1, false));
        var result = host.generate(new GenerateRequest("Once", 4, 0.0, 1, List.of()), t -> {}).await();
        assertEquals(4, result.tokens(), "the server answered");
        var maps = Files.readAllLines(Path.of("/proc/" + active.pid() + "/maps")).stream()
                .filter(line -> line.contains(".so")).map(line -> line.substring(line.lastIndexOf(' ') + 1)).distinct().toList();
        return String.join("\n", maps);
    }

    /**
     * The Vulkan module goes through the same decision: on a machine without the Vulkan loader the
     * real server cannot load it, and the line says which library is missing (the loader's own words).
     */
    @Test
    void theVulkanModuleIsDecidedTheSameWayAndNamesTheMissingLoader() throws Exception {
        var vulkan = LlamaServerBinary.requirePrebuilt(EngineInstaller.prebuiltKey(GpuBackend.VULKAN));
        assertTrue(Files.isRegularFile(vulkan.resolveSibling(GpuBackend.VULKAN.library())));
        var cache = dev.ragdesk.process.ProgramOutput.of(List.of("/sbin/ldconfig", "-p")).orElse("");
        org.junit.jupiter.api.Assumptions.assumeFalse(cache.contains("libvulkan.so.1"), "this machine has a Vulkan loader");
        var accelerator = Accelerator.decide(vulkan, new CudaHost(dir, Map.of(), () -> ""), Map.of());
        assertEquals("cpu", accelerator.label());
        assertEquals(Map.of(), accelerator.environment());
        assertEquals("the Vulkan backend could not be loaded (libvulkan.so.1: cannot open shared object file: No such file or directory), "
                + "so the models run on the CPU", accelerator.line());
    }
}
