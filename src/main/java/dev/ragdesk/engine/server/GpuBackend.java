package dev.ragdesk.engine.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * A GPU backend module beside llama-server in an install: a {@code GGML_BACKEND_DL} library that
 * the shared-library build loads at run time. Normally node-llama-cpp's prebuilt one, from the
 * same llama.cpp release as the sources ragdesk builds llama-server from, so no GPU code is
 * compiled on the user's machine; each package is pinned by the sha512 that npm's registry
 * publishes for it. {@code --from-source} compiles the same module here and lays it out the same way.
 *
 * @param label        the install's name for it, and the key's ("cuda13")
 * @param npmPackage   the package on the npm registry
 * @param sha512       its tarball's pinned sha512, base64 (npm's "integrity")
 * @param tarballBytes what the download costs, said before it starts
 * @param member       the backend's path inside the tarball
 * @param library      where it goes in the install, relative to the binary's folder
 * @param cudaMajor    the CUDA version its libraries must be (0: not CUDA)
 */
public record GpuBackend(String label, String npmPackage, String sha512, long tarballBytes, String member, String library,
                             int cudaMajor) {
    /** Beside llama-server in an install with a GPU backend: which backend it is. */
    public static final String MARKER = "gpu-backend.properties";

    public static final GpuBackend CUDA13 = new GpuBackend("cuda13", "@node-llama-cpp/linux-x64-cuda",
            "8rQCjyNNLZJUFit+YpjwlC4hwkKgOMIkB2wuycKBf8NU2O3ySKbiWZQ8aw9ku2nUTXjSnUIrE6KB88itduTBuA==", 142_898_030L,
            "package/bins/linux-x64-cuda/libggml-cuda.so", "cuda/libggml-cuda.so", 13);
    /** The same backend built for CUDA 12, for drivers older than 580 and for CUDA 12 libraries (PyTorch's, or the redistributable). */
    public static final GpuBackend CUDA12 = new GpuBackend("cuda12", "@node-llama-cpp/linux-x64-cuda-ext",
            "4e5ajkiM2aR2WAdB/N/ACk4weEhHvOAIrzxZPsIX0xDFW5+6hhShuy1/vs88SK9NGdgAco9IyE28eYS0H1efpA==", 176_664_119L,
            "package/bins/linux-x64-cuda/fallback/libggml-cuda.so", "cuda/libggml-cuda.so", 12);
    /** For AMD, Intel and NVIDIA cards through the host's Vulkan loader. */
    public static final GpuBackend VULKAN = new GpuBackend("vulkan", "@node-llama-cpp/linux-x64-vulkan",
            "bBxqU+JOcBu1nb5Qj2zcMci+JByT1E8EajHvYodyNfVIPkEhXh+/HMwR1/BT7xP08YK0hks+kM8fglER0P8JEg==", 24_311_427L,
            "package/bins/linux-x64-vulkan/libggml-vulkan.so", "vulkan/libggml-vulkan.so", 0);

    static final List<GpuBackend> ALL = List.of(CUDA13, CUDA12, VULKAN);

    /** "@node-llama-cpp/linux-x64-cuda@3.22.1" */
    public String spec() { return npmPackage + "@" + EngineInstaller.PACKAGE_VERSION; }

    /** The file `npm pack` writes: "node-llama-cpp-linux-x64-cuda-3.22.1.tgz". */
    String tarballName() {
        return npmPackage.replace("@", "").replace("/", "-") + "-" + EngineInstaller.PACKAGE_VERSION + ".tgz";
    }

    /** The backend installed beside {@code binary}, if its marker names one and the library is there. */
    public static Optional<GpuBackend> installedBeside(Path binary) {
        var marker = binary.resolveSibling(MARKER);
        if (!Files.isRegularFile(marker)) return Optional.empty();
        var properties = new Properties();
        try (Reader in = Files.newBufferedReader(marker)) {
            properties.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        var label = properties.getProperty("backend", "");
        return ALL.stream().filter(b -> b.label().equals(label))
                .filter(b -> Files.isRegularFile(binary.resolveSibling(b.library()))).findFirst();
    }

    String markerText() {
        return "# written by `ragdesk engine install`: the GPU backend beside this llama-server, loaded only when the GPU can run it\n"
                + "backend=" + label + "\npackage=" + spec() + "\nlibrary=" + library + "\n";
    }
}
