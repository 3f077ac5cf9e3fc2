package dev.ragdesk.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Stands in for the GPU side of a CUDA host, the one boundary that cannot exist on a machine
 * without a GPU: the driver's {@code libcuda.so.1}, which answers "no device" to everything, and
 * {@code libcublas.so.13}/{@code libcublasLt.so.13}, which nothing reaches without a device. They
 * are compiled here from the symbols the real prebuilt backend imports (read with objdump), so
 * the backend, the real CUDA runtime and the real loader run exactly as on a GPU host whose
 * card is gone. The CUDA runtime itself is the toolkit's ({@code /usr/local/cuda/lib64}).
 */
public final class StubCuda {
    /** The CUDA 13 runtime of the toolkit these machines carry. */
    public static final Path CUDART_FOLDER = Path.of("/usr/local/cuda/lib64");

    private StubCuda() {}

    /** Skips (or in CI fails) unless gcc, objdump and the CUDA 13 runtime are here. */
    public static void require() {
        Required.that(Files.isRegularFile(CUDART_FOLDER.resolve("libcudart.so.13")),
                "no CUDA 13 runtime in " + CUDART_FOLDER + " (the CUDA toolkit these machines carry)");
        Required.that(onPath("gcc") && onPath("objdump"), "gcc and objdump are needed to build the stand-in CUDA driver");
    }

    /** Builds the stand-ins for {@code backend} into {@code folder}, which is returned. */
    public static Path build(Path backend, Path folder) throws IOException, InterruptedException {
        Files.createDirectories(folder);
        var imports = imports(backend);
        var driver = new StringBuilder(resource("/stubs/libcuda-no-device.c"));
        for (var symbol : imports) {
            if (symbol.name().startsWith("cu") && !symbol.name().startsWith("cublas") && symbol.version().equals("Base")
                    && !driver.toString().contains(" " + symbol.name() + "(")) {
                driver.append("int ").append(symbol.name()).append("(void) { return CUDA_ERROR_NO_DEVICE; }\n");
            }
        }
        var blas = new StringBuilder("/* cuBLAS is reached only after a device is found: every call fails */\n");
        for (var symbol : imports) {
            if (symbol.version().startsWith("libcublas.so.")) blas.append("int ").append(symbol.name()).append("(void) { return 1; }\n");
        }
        Files.writeString(folder.resolve("cuda.c"), driver);
        Files.writeString(folder.resolve("cublas.c"), blas);
        Files.writeString(folder.resolve("empty.c"), "int ragdesk_stub_cublaslt;\n");
        Files.writeString(folder.resolve("cublas.map"), "libcublas.so.13 { global: *; };\n");
        gcc(folder, "libcuda.so.1", "cuda.c", "-ldl");
        gcc(folder, "libcublas.so.13", "cublas.c", "-Wl,--version-script=cublas.map");
        gcc(folder, "libcublasLt.so.13", "empty.c");
        return folder;
    }

    record Symbol(String name, String version) {}

    /** The undefined dynamic symbols of {@code library} with the version each wants ("libcublas.so.13", "Base"). */
    static List<Symbol> imports(Path library) throws IOException, InterruptedException {
        var p = new ProcessBuilder("objdump", "-T", library.toString()).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException("objdump -T " + library + " failed: " + out);
        var symbols = new ArrayList<Symbol>();
        for (var line : out.lines().toList()) {
            if (!line.contains("*UND*")) continue;
            var fields = line.trim().split("\\s+");
            if (fields.length < 2) continue;
            var version = fields[fields.length - 2].replace("(", "").replace(")", "");
            symbols.add(new Symbol(fields[fields.length - 1], version));
        }
        return symbols;
    }

    private static void gcc(Path folder, String output, String source, String... extra) throws IOException, InterruptedException {
        var cmd = new ArrayList<>(List.of("gcc", "-shared", "-fPIC", "-o", output, "-Wl,-soname," + output, source));
        cmd.addAll(List.of(extra));
        var p = new ProcessBuilder(cmd).directory(folder.toFile()).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed: " + out);
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Objects.requireNonNull(StubCuda.class.getResourceAsStream(name), name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static boolean onPath(String tool) {
        for (var dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }
}
