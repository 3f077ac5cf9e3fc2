package dev.ragdesk.engine.server;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.gpu.CudaHost;
import dev.ragdesk.testing.LlamaServerBinary;
import dev.ragdesk.testing.Required;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** `engine install`'s cache and its failures: nothing broken or foreign is ever taken for a build. */
class EngineInstallerTest {
    @TempDir Path dir;

    private static Path script(Path dir, String name, String body) throws Exception {
        Files.createDirectories(dir);
        var file = dir.resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        file.toFile().setExecutable(true);
        return file;
    }

    @Test
    void theKeyNamesTheBackendTheCudaVersionAndTheArchitecture() {
        assertEquals("node-llama-cpp-3.22.1-cpu-dl", EngineInstaller.key(EngineInstaller.Backend.CPU, "", ""));
        assertEquals(EngineInstaller.sharedKey(), EngineInstaller.key(EngineInstaller.Backend.CPU, "", ""));
        assertEquals("node-llama-cpp-3.22.1-cuda13-prebuilt-x64", EngineInstaller.prebuiltKey(GpuBackend.CUDA13));
        assertEquals("node-llama-cpp-3.22.1-cuda12-prebuilt-x64", EngineInstaller.prebuiltKey(GpuBackend.CUDA12));
        assertEquals("node-llama-cpp-3.22.1-vulkan-prebuilt-x64", EngineInstaller.prebuiltKey(GpuBackend.VULKAN));
        var h100 = EngineInstaller.key(EngineInstaller.Backend.CUDA, "13.0", "90");
        var rtx = EngineInstaller.key(EngineInstaller.Backend.CUDA, "13.0", "86");
        var older = EngineInstaller.key(EngineInstaller.Backend.CUDA, "12.4", "90");
        assertEquals("node-llama-cpp-3.22.1-cuda13.0-sm90", h100, "a --from-source build names the toolkit and the card");
        assertNotEquals(h100, rtx, "another card, another build");
        assertNotEquals(h100, older, "another toolkit, another build");
        assertNotEquals(EngineInstaller.key(EngineInstaller.Backend.VULKAN, "", ""), EngineInstaller.key(EngineInstaller.Backend.CPU, "", ""));
    }

    @Test
    void sourcesTheUserGaveAreNeverTakenForThePinnedOnes() throws Exception {
        var installer = new EngineInstaller(dir.resolve("engines"), dir.resolve("tmp"), Optional.empty(), Map.of("PATH", ""));
        var own = new EngineInstaller.Request(EngineInstaller.Backend.CPU, 1, "", false, Optional.of(dir.resolve("llama.cpp")));
        assertEquals(EngineInstaller.sharedKey() + "-own-sources", installer.key(own));
        assertEquals(EngineInstaller.sharedKey(), installer.key(new EngineInstaller.Request(EngineInstaller.Backend.CPU, 1, "")));
    }

    @Test
    void aBrokenBinaryInTheCacheIsNotTrustedAndIsRemoved() throws Exception {
        var cache = dir.resolve("cache");
        var broken = script(cache.resolve(EngineInstaller.sharedKey()), "llama-server", "echo 'half a file'");
        var installer = new EngineInstaller(dir.resolve("engines"), dir.resolve("tmp"), Optional.of(cache),
                Map.of("PATH", dir.resolve("empty-path").toString()));
        var e = assertThrows(RagdeskException.class, () -> installer.install(new EngineInstaller.Request(EngineInstaller.Backend.CPU, 1, ""), p -> {}));
        assertTrue(e.getMessage().startsWith("building llama-server needs npm"), "it went on to build: " + e.getMessage());
        assertFalse(Files.exists(broken.getParent()), "the untrustworthy install is gone");
        assertFalse(Files.exists(dir.resolve("engines")), "nothing was installed");
    }

    /** The real shared build's files, as `engine install` left them in the user's cache. */
    private static Path sharedBuild() {
        var real = LlamaServerBinary.require();
        Required.that(Files.isRegularFile(real.resolveSibling("libggml-cpu.so")),
                real + " is not the shared-library build (run `bin/ragdesk engine install --backend cpu`, as .ci/run does)");
        return real.getParent();
    }

    private static void copyFolder(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (var file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    @Test
    void aWorkingCachedBuildIsCheckedThenPlacedWhole() throws Exception {
        var cache = dir.resolve("cache");
        copyFolder(sharedBuild(), cache.resolve(EngineInstaller.sharedKey()));
        var installer = new EngineInstaller(dir.resolve("engines"), dir.resolve("tmp"), Optional.of(cache), Map.of("PATH", ""));
        var installed = installer.install(new EngineInstaller.Request(EngineInstaller.Backend.CPU, 1, ""), p -> {});
        assertFalse(installed.built());
        assertEquals(dir.resolve("engines").resolve(EngineInstaller.sharedKey()).resolve("llama-server"), installed.binary());
        assertTrue(LlamaServers.check(installed.binary(), "the test").version().contains("0.5.0"), "the copy runs, its libraries found through $ORIGIN");
        assertTrue(Files.isRegularFile(installed.binary().resolveSibling("libggml-cpu.so")), "the CPU backend came with it");
        try (var left = Files.list(dir.resolve("engines"))) {
            assertEquals(List.of(installed.binary().getParent()), left.toList(), "no partial folder is left beside it");
        }
    }

    @Test
    void aBackendPackageThatIsNotThePinnedOneIsRefusedAndTheVersionFollowsTheDriver() throws Exception {
        var cache = dir.resolve("cache");
        copyFolder(sharedBuild(), cache.resolve(EngineInstaller.sharedKey()));
        // an npm that hands out a tarball of the right name whose bytes are not the pinned package's
        var bin = dir.resolve("bin");
        script(bin, "npm", "name=$(echo \"$3\" | /bin/sed 's/^@//; s|/|-|; s/@/-/'); /bin/mkdir -p package/bins/linux-x64-cuda/fallback; "
                + "echo fake > package/bins/linux-x64-cuda/libggml-cuda.so; /bin/cp package/bins/linux-x64-cuda/libggml-cuda.so package/bins/linux-x64-cuda/fallback/; "
                + "/bin/tar czf \"$name.tgz\" package");
        script(bin, "tar", "exec /bin/tar \"$@\"");
        script(bin, "gzip", "exec /bin/gzip \"$@\"");
        var root = dir.resolve("root");
        Files.createDirectories(root.resolve("proc/driver/nvidia"));
        Files.writeString(root.resolve("proc/driver/nvidia/version"), "NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.65.06  Release Build\n");
        Files.createDirectories(root.resolve("dev"));
        Files.writeString(root.resolve("dev/nvidia0"), "");
        var fetches = new java.util.concurrent.atomic.AtomicInteger();
        var env = Map.of("PATH", bin.toString());
        var installer = new EngineInstaller(dir.resolve("engines"), dir.resolve("tmp"), Optional.of(cache), env,
                new CudaHost(root, env, () -> ""), (folder, progress) -> fetches.incrementAndGet());
        var steps = new java.util.ArrayList<String>();
        var e = assertThrows(RagdeskException.class,
                () -> installer.install(new EngineInstaller.Request(EngineInstaller.Backend.CUDA, 1, ""), p -> steps.add(p.step())));
        // driver 580 but no CUDA libraries at all: the CUDA 12 backend, whose libraries can be fetched
        assertTrue(e.getMessage().startsWith("node-llama-cpp-linux-x64-cuda-ext-3.22.1.tgz does not match its pinned sha512"), e.getMessage());
        assertTrue(steps.stream().anyMatch(s -> s.contains("@node-llama-cpp/linux-x64-cuda-ext@3.22.1") && s.contains("MB")),
                "the size was said before the fetch: " + steps);
        assertEquals(0, fetches.get(), "nothing more is fetched for a refused backend");
        assertFalse(Files.exists(dir.resolve("engines").resolve(EngineInstaller.prebuiltKey(GpuBackend.CUDA12))), "nothing installed");
        assertFalse(Files.exists(cache.resolve(EngineInstaller.prebuiltKey(GpuBackend.CUDA12))), "nothing cached");
        assertFalse(Files.exists(dir.resolve("tmp").resolve("engine-build-" + EngineInstaller.prebuiltKey(GpuBackend.CUDA12))));

        // with CUDA 13's libraries on the host, the CUDA 13 backend is the one asked for
        var libs = root.resolve("usr/local/cuda/lib64");
        Files.createDirectories(libs);
        for (var name : List.of("libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13")) Files.writeString(libs.resolve(name), "");
        var again = assertThrows(RagdeskException.class,
                () -> installer.install(new EngineInstaller.Request(EngineInstaller.Backend.CUDA, 1, ""), p -> {}));
        assertTrue(again.getMessage().startsWith("node-llama-cpp-linux-x64-cuda-3.22.1.tgz does not match"), again.getMessage());
    }

    @Test
    void aFailedBuildLeavesNoBuildFolderAndNothingInstalled() throws Exception {
        var bin = dir.resolve("bin");
        script(bin, "npm", "echo 'npm ERR! network unreachable' >&2; exit 1");
        for (var tool : new String[] {"git", "tar", "cmake", "g++"}) script(bin, tool, "exit 0");
        var installer = new EngineInstaller(dir.resolve("engines"), dir.resolve("tmp"), Optional.of(dir.resolve("cache")),
                Map.of("PATH", bin.toString()));
        var e = assertThrows(RagdeskException.class, () -> installer.install(new EngineInstaller.Request(EngineInstaller.Backend.CPU, 1, ""), p -> {}));
        assertTrue(e.getMessage().contains("npm pack failed"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("tmp").resolve("engine-build-" + EngineInstaller.key(EngineInstaller.Backend.CPU, "", ""))),
                "the build folder is removed");
        assertFalse(Files.exists(dir.resolve("engines")), "nothing installed");
        assertFalse(Files.exists(dir.resolve("cache")), "nothing cached");
    }

    /**
     * Ctrl-C in the middle of a compile keeps its objects, never as an install, and the next
     * install goes on with them instead of fetching and configuring afresh. The tools are scripts
     * that record what they are asked; the compile waits until the test interrupts it.
     */
    @Test
    void anInterruptedCompileIsKeptAndTheNextInstallGoesOnWithIt() throws Exception {
        var bin = dir.resolve("bin");
        var calls = dir.resolve("calls.txt");
        var sources = Files.createDirectories(dir.resolve("llama.cpp"));
        Files.writeString(sources.resolve("CMakeLists.txt"), "");
        script(bin, "npm", "echo npm >> " + calls);
        script(bin, "git", "exit 0");
        script(bin, "g++", "exit 0");
        script(bin, "tar", "exec /bin/tar \"$@\"");
        // configure writes the cache; the first compile blocks until killed; later ones fail, ending the install
        script(bin, "cmake", "echo \"cmake $1\" >> " + calls + "\n"
                + "if [ \"$1\" = -S ]; then /bin/mkdir -p build && echo cache > build/CMakeCache.txt; exit 0; fi\n"
                + "if [ ! -e " + dir.resolve("compiled-once") + " ]; then echo > " + dir.resolve("compiled-once") + "; exec /bin/sleep 600; fi\n"
                + "echo 'error: stopped here by the test'; exit 1");
        var installer = new EngineInstaller(dir.resolve("engines"), dir.resolve("tmp"), Optional.empty(), Map.of("PATH", bin.toString()));
        var request = new EngineInstaller.Request(EngineInstaller.Backend.CPU, 1, "", false, Optional.of(sources));
        var work = dir.resolve("tmp").resolve("engine-build-" + installer.key(request));
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        var first = new Thread(() -> {
            try {
                installer.install(request, p -> {});
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        first.start();
        var deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(dir.resolve("compiled-once")) && System.nanoTime() < deadline) Thread.onSpinWait();
        assertTrue(Files.exists(dir.resolve("compiled-once")), "the compile started");
        first.interrupt();
        first.join(60_000);
        assertInstanceOf(InterruptedException.class, failure.get());
        assertTrue(Files.isRegularFile(work.resolve("build/CMakeCache.txt")), "the compile's folder is kept");
        assertFalse(Files.exists(dir.resolve("engines")), "and nothing is installed from it");

        var steps = new java.util.ArrayList<String>();
        var e = assertThrows(RagdeskException.class, () -> installer.install(request, p -> steps.add(p.step())));
        assertTrue(e.getMessage().contains("stopped here by the test"), e.getMessage());
        assertTrue(steps.get(0).startsWith("going on with the build left in "), steps.toString());
        assertFalse(Files.exists(work), "a compile that failed is not kept");
        assertFalse(Files.readString(calls).contains("npm"), "the sources were never fetched");
    }
}
