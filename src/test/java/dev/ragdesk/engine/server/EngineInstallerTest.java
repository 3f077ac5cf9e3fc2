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

/** What `ragdesk engine install` does before and instead of compiling, which is most runs. */
class EngineInstallerTest {
    @TempDir Path dir;

    EngineInstaller installer(Optional<Path> cache, Map<String, String> env) {
        return new EngineInstaller(dir.resolve("ws/.data/engines"), dir.resolve("ws/.data/tmp"), cache, env);
    }

    @Test
    void aFinishedBuildInTheUserCacheIsReusedNotRebuilt() throws Exception {
        var built = LlamaServerBinary.require();
        var cache = dir.resolve("cache");
        var key = EngineInstaller.key(EngineInstaller.Backend.CPU);
        Files.createDirectories(cache.resolve(key));
        Files.copy(built, cache.resolve(key).resolve("llama-server"));
        // an empty PATH: had it tried to build, it would have failed for want of npm, cmake and a compiler
        var installed = installer(Optional.of(cache), Map.of("PATH", ""))
                .install(new EngineInstaller.Request(EngineInstaller.Backend.CPU, 2, ""), p -> fail("nothing to build: " + p));
        assertFalse(installed.built());
        assertEquals(dir.resolve("ws/.data/engines").resolve(key).resolve("llama-server"), installed.binary());
        assertTrue(Files.isExecutable(installed.binary()));
        assertTrue(LlamaServers.check(installed.binary(), "test").version().contains("commit"), "it runs");
        var again = installer(Optional.empty(), Map.of("PATH", "")).install(new EngineInstaller.Request(EngineInstaller.Backend.CPU, 2, ""), p -> {});
        assertEquals("already installed", again.from());
    }

    @Test
    void missingToolsAreNamedInOneLineBeforeAnythingIsFetched() {
        var e = assertThrows(RagdeskException.class, () -> installer(Optional.empty(), Map.of("PATH", dir.resolve("empty").toString()))
                .install(new EngineInstaller.Request(EngineInstaller.Backend.CPU, 2, ""), p -> fail("nothing may start: " + p)));
        assertTrue(e.getMessage().startsWith("building llama-server needs npm, git, tar, cmake, a C++ compiler (g++)"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install npm git cmake ninja-build g++"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(dir.resolve("ws/.data/tmp")), "nothing was downloaded or unpacked");
    }

    @Test
    void aPackageThatDoesNotMatchItsPinIsRefused() throws Exception {
        var tarball = Files.writeString(dir.resolve(EngineInstaller.PACKAGE + "-" + EngineInstaller.PACKAGE_VERSION + ".tgz"), "not the package");
        var e = assertThrows(RagdeskException.class, () -> EngineInstaller.verify(tarball));
        assertTrue(e.getMessage().contains("does not match its pinned sha512"), e.getMessage());
        assertTrue(e.getMessage().endsWith("nothing was built"), e.getMessage());
    }

    @Test
    void backendsParseAndAutoPicksCpuWithoutNvcc() {
        assertEquals(EngineInstaller.Backend.CPU, EngineInstaller.Backend.parse("auto", Map.of("PATH", "")));
        assertEquals(EngineInstaller.Backend.VULKAN, EngineInstaller.Backend.parse("Vulkan", Map.of()));
        var e = assertThrows(IllegalArgumentException.class, () -> EngineInstaller.Backend.parse("rocm", Map.of()));
        assertTrue(e.getMessage().contains("cpu, cuda, vulkan or auto"));
    }
}
