package dev.ragdesk.gpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Whether the llama.cpp native library in use can offload to a GPU at all. */
public final class Natives {
    private static final List<String> GPU_MARKERS = List.of("ggml_cuda", "cudaMalloc", "libcudart", "ggml_vk_", "ggml_metal");

    private Natives() {}

    /**
     * {@code configuredDir} is [llama].native_lib_dir, or null for java-llama.cpp's bundled
     * build, which is CPU-only on Linux and Windows (its cuda12 jar is empty) and uses Metal on macOS.
     */
    public static boolean gpuCapable(Path configuredDir) {
        if (configuredDir == null) return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("mac");
        var lib = configuredDir.resolve(System.mapLibraryName("jllama"));
        try {
            var text = new String(Files.readAllBytes(lib), StandardCharsets.ISO_8859_1);
            return GPU_MARKERS.stream().anyMatch(text::contains);
        } catch (IOException e) {
            return false;
        }
    }

    public static String describe(Path configuredDir) {
        if (configuredDir == null) return "java-llama.cpp's bundled natives (CPU only)";
        return configuredDir.resolve(System.mapLibraryName("jllama")) + (gpuCapable(configuredDir) ? " (GPU build)" : " (CPU only)");
    }
}
