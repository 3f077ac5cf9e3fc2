package dev.ragdesk.engine.server;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.testing.LlamaServerBinary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
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
    void theKeyNamesTheBackendAndForCudaTheToolkitAndTheCard() {
        assertEquals("node-llama-cpp-3.22.1-cpu", EngineInstaller.key(EngineInstaller.Backend.CPU, "", ""),
                "the CPU key is unchanged, so existing caches stay valid");
        var h100 = EngineInstaller.key(EngineInstaller.Backend.CUDA, "13.0", "90");
        var rtx = EngineInstaller.key(EngineInstaller.Backend.CUDA, "13.0", "86");
        var older = EngineInstaller.key(EngineInstaller.Backend.CUDA, "12.4", "90");
        assertEquals("node-llama-cpp-3.22.1-cuda13.0-sm90", h100);
        assertNotEquals(h100, rtx, "another card, another build");
        assertNotEquals(h100, older, "another toolkit, another build");
        assertNotEquals(EngineInstaller.key(EngineInstaller.Backend.VULKAN, "", ""), EngineInstaller.key(EngineInstaller.Backend.CPU, "", ""));
    }

    @Test
    void aBrokenBinaryInTheCacheIsNotTrustedAndIsRemoved() throws Exception {
        var cache = dir.resolve("cache");
        var broken = script(cache.resolve(EngineInstaller.key(EngineInstaller.Backend.CPU, "", "")), "llama-server", "echo 'half a file'");
        var installer = new EngineInstaller(dir.resolve("engines"), dir.resolve("tmp"), Optional.of(cache),
                Map.of("PATH", dir.resolve("empty-path").toString()));
        var e = assertThrows(RagdeskException.class, () -> installer.install(new EngineInstaller.Request(EngineInstaller.Backend.CPU, 1, ""), p -> {}));
        assertTrue(e.getMessage().startsWith("building llama-server needs npm"), "it went on to build: " + e.getMessage());
        assertFalse(Files.exists(broken), "the untrustworthy copy is gone");
        assertFalse(Files.exists(dir.resolve("engines")), "nothing was installed");
    }

    @Test
    void aWorkingCachedBuildIsCheckedThenCopied() throws Exception {
        var real = LlamaServerBinary.require();
        var cache = dir.resolve("cache");
        var key = EngineInstaller.key(EngineInstaller.Backend.CPU, "", "");
        Files.createDirectories(cache.resolve(key));
        Files.copy(real, cache.resolve(key).resolve("llama-server"));
        var installer = new EngineInstaller(dir.resolve("engines"), dir.resolve("tmp"), Optional.of(cache), Map.of("PATH", ""));
        var installed = installer.install(new EngineInstaller.Request(EngineInstaller.Backend.CPU, 1, ""), p -> {});
        assertFalse(installed.built());
        assertEquals(dir.resolve("engines").resolve(key).resolve("llama-server"), installed.binary());
        assertTrue(LlamaServers.check(installed.binary(), "the test").version().contains("0.5.0"), "the copy runs");
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
}
