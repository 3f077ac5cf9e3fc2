package dev.ragdesk.engine;

import dev.ragdesk.io.AtomicFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Extracts java-llama.cpp's bundled native library once into the workspace, so that workers
 * load it from {@code -Dde.kherud.llama.lib.path} instead of each extracting their own copy
 * (which also prints an "Extracted ..." line on stdout).
 */
public final class NativeLibrary {
    private NativeLibrary() {}

    /** The folder holding the extracted library, or empty when the jar bundles none for this platform. */
    public static Optional<Path> extractBundled(Path tmpRoot, String llamaVersion) throws IOException {
        var resource = resourcePath();
        if (resource.isEmpty()) return Optional.empty();
        try (InputStream in = NativeLibrary.class.getClassLoader().getResourceAsStream(resource.get())) {
            if (in == null) return Optional.empty();
            var dir = AtomicFiles.ownerOnlyDirectory(tmpRoot.resolve("natives-" + llamaVersion));
            var target = dir.resolve(System.mapLibraryName("jllama"));
            var bytes = in.readAllBytes();
            if (!Files.isRegularFile(target) || Files.size(target) != bytes.length) AtomicFiles.write(target, bytes);
            return Optional.of(dir);
        }
    }

    private static Optional<String> resourcePath() {
        var osName = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        var os = osName.contains("linux") ? "Linux" : osName.contains("mac") ? "Mac" : osName.contains("windows") ? "Windows" : null;
        var arch = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        if (os == null || arch == null) return Optional.empty();
        return Optional.of("de/kherud/llama/" + os + "/" + arch + "/" + System.mapLibraryName("jllama"));
    }
}
