package dev.ragdesk.engine.server;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.process.ProgramOutput;
import dev.ragdesk.io.FileDigest;
import dev.ragdesk.io.UserPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds llama-server with this machine's own toolchain. The sources come from a package
 * registry this project already reaches: the npm package node-llama-cpp carries a git bundle
 * of a llama.cpp release. The package is pinned by version and checked against its sha512
 * before anything is unpacked. A finished build goes to {@code .data/engines/<key>/} and to
 * the user's build cache, so the next workspace (or CI run) reuses it instead of building.
 */
public final class EngineInstaller {
    private static final Logger log = LoggerFactory.getLogger(EngineInstaller.class);

    /** The pinned source: node-llama-cpp's package, whose integrity npm's registry publishes. */
    public static final String PACKAGE = "node-llama-cpp";
    public static final String PACKAGE_VERSION = "3.22.1";
    static final String PACKAGE_SHA512 = "bltIipuWmc123H7tMIgDGKSsSrhmhlQYeVUC48XTjVW7XGJJiJJyCdlTMzQ/LiWoPkGDpcL4FviDpgw7qfTiDw==";

    public enum Backend {
        CPU, CUDA, VULKAN;

        public String label() { return name().toLowerCase(Locale.ROOT); }

        public static Backend parse(String text, Map<String, String> env) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "cpu" -> CPU;
                case "cuda" -> CUDA;
                case "vulkan" -> VULKAN;
                case "auto" -> which(env, "nvcc").isPresent() && nvidiaGpu() ? CUDA : CPU;
                default -> throw new IllegalArgumentException("--backend must be cpu, cuda, vulkan or auto, not \"" + text + "\"");
            };
        }
    }

    /** A line of progress: what is happening, and for the compile, how far ("[57/204]"). */
    public record Progress(String step, int done, int total) {}

    /** @param cudaArchitectures for CUDA, e.g. "90" for an H100/H200, "86" for an RTX 30xx; empty: the card here, else nvcc's default */
    public record Request(Backend backend, int jobs, String cudaArchitectures) {}

    public record Installed(Path binary, boolean built, String from) {}

    private final Path engines;
    private final Path tmp;
    private final Optional<Path> userCache;
    private final Map<String, String> env;

    public EngineInstaller(Path engines, Path tmp, Optional<Path> userCache, Map<String, String> env) {
        this.engines = engines;
        this.tmp = tmp;
        this.userCache = userCache;
        this.env = env;
    }

    /**
     * The folder name of one build: the sources' version and the backend, and for CUDA the
     * toolkit's version and the GPU architectures too, so a build for another card or toolkit is
     * never taken for this one ("node-llama-cpp-3.22.1-cpu", "…-cuda12.4-sm86").
     */
    public static String key(Backend backend, String cudaToolkit, String cudaArchitectures) {
        var key = PACKAGE + "-" + PACKAGE_VERSION + "-" + backend.label();
        if (backend != Backend.CUDA) return key;
        var arch = cudaArchitectures.isBlank() ? "default" : cudaArchitectures.replaceAll("[^A-Za-z0-9]+", "_");
        return key + cudaToolkit + "-sm" + arch;
    }

    /** The key of {@code request} on this machine: nvcc's release and the card's architecture are asked here. */
    String key(Request request) {
        if (request.backend() != Backend.CUDA) return key(request.backend(), "", "");
        return key(Backend.CUDA, which(env, "nvcc").map(EngineInstaller::nvccRelease).orElse(""), architectures(request));
    }

    public Installed install(Request request, Consumer<Progress> progress) throws RagdeskException, InterruptedException {
        var key = key(request);
        var target = engines.resolve(key).resolve(LlamaServers.BINARY);
        if (works(target, "the install in " + target.getParent())) return new Installed(target, false, "already installed");
        var cached = userCache.map(c -> c.resolve(key).resolve(LlamaServers.BINARY))
                .filter(binary -> works(binary, "the build cache " + binary.getParent()));
        if (cached.isPresent()) {
            place(cached.get(), target);
            return new Installed(target, false, "the build cache " + cached.get().getParent());
        }
        requireTools(request.backend());
        var work = tmp.resolve("engine-build-" + key);
        boolean finished = false;
        try {
            Files.createDirectories(work);
            progress.accept(new Progress("fetching " + PACKAGE + "@" + PACKAGE_VERSION + " from the npm registry", 0, 0));
            run(work, List.of("npm", "pack", "--silent", PACKAGE + "@" + PACKAGE_VERSION), line -> {});
            var tarball = work.resolve(PACKAGE + "-" + PACKAGE_VERSION + ".tgz");
            verify(tarball);
            progress.accept(new Progress("unpacking llama.cpp's sources", 0, 0));
            run(work, List.of("tar", "xzf", tarball.getFileName().toString(), "package/llama/gitRelease.bundle"), line -> {});
            deleteTree(work.resolve("src"));
            run(work, List.of("git", "clone", "--quiet", "package/llama/gitRelease.bundle", "src"), line -> {});
            progress.accept(new Progress("configuring the " + request.backend().label() + " build", 0, 0));
            run(work, configure(request), line -> {});
            var step = Pattern.compile("^\\[(\\d+)/(\\d+)]");
            run(work, List.of("cmake", "--build", "build", "--target", LlamaServers.BINARY, "-j", String.valueOf(request.jobs())), line -> {
                var m = step.matcher(line);
                if (m.find()) progress.accept(new Progress("compiling", Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
            });
            var built = work.resolve("build/bin").resolve(LlamaServers.BINARY);
            if (!Files.isRegularFile(built)) throw new RagdeskException("the build finished but made no " + built + "; see .data/logs/ragdesk.log");
            LlamaServers.check(built, "the fresh build");
            place(built, target);
            userCache.ifPresent(cache -> {
                try {
                    place(built, cache.resolve(key).resolve(LlamaServers.BINARY));
                } catch (RagdeskException e) {
                    log.warn("could not keep the build in {}: {}", cache, e.getMessage());
                }
            });
            finished = true;
            return new Installed(target, true, "a build from " + PACKAGE + "@" + PACKAGE_VERSION);
        } catch (IOException e) {
            throw new RagdeskException("building llama-server failed: " + e.getMessage() + "; the log is .data/logs/ragdesk.log", e);
        } finally {
            // a finished build was copied out; a failed one leaves nothing that a later install could take for a build
            try {
                deleteTree(work);
            } catch (IOException e) {
                log.warn("cannot remove the build folder {}: {}", work, e.toString());
            }
            if (!finished) log.info("engine build of {} did not finish; its folder {} was removed", key, work);
        }
    }

    /**
     * Whether {@code binary} is there and answers {@code --version} as llama-server: a copy cut
     * short by a full disk or a kill is not trusted, and is removed so the next install replaces it.
     */
    private static boolean works(Path binary, String what) {
        if (!Files.isRegularFile(binary)) return false;
        try {
            LlamaServers.check(binary, what);
            return true;
        } catch (RagdeskException e) {
            log.warn("not using {}: {}", what, e.getMessage());
            try {
                Files.deleteIfExists(binary);
            } catch (IOException ignored) {
                // placed again over it
            }
            return false;
        }
    }

    /** "12.4" from nvcc's "Cuda compilation tools, release 12.4, V12.4.131"; empty where it cannot say. */
    static String nvccRelease(Path nvcc) {
        return ProgramOutput.of(List.of(nvcc.toString(), "--version"))
                .map(out -> Pattern.compile("release (\\d+\\.\\d+)").matcher(out))
                .filter(Matcher::find).map(m -> m.group(1)).orElse("");
    }

    /** The architectures asked for, else the card's own ("native" is no key: it means whatever card is here). */
    private String architectures(Request request) {
        if (!request.cudaArchitectures().isBlank()) return request.cudaArchitectures();
        return nvidiaGpu() ? computeCapability().orElse("native") : "";
    }

    /** "90" for an H100, from nvidia-smi; empty where it cannot say. */
    private Optional<String> computeCapability() {
        return which(env, "nvidia-smi")
                .flatMap(smi -> ProgramOutput.of(List.of(smi.toString(), "--query-gpu=compute_cap", "--format=csv,noheader")))
                .map(out -> out.lines().findFirst().orElse("").strip())
                .filter(cap -> cap.matches("\\d+\\.\\d+")).map(cap -> cap.replace(".", ""));
    }

    private List<String> configure(Request request) {
        var cmd = new ArrayList<>(List.of("cmake", "-S", "src", "-B", "build", "-DCMAKE_BUILD_TYPE=Release",
                "-DGGML_NATIVE=OFF", "-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
                "-DLLAMA_BUILD_SERVER=ON", "-DBUILD_SHARED_LIBS=OFF"));
        if (which(env, "ninja").isPresent()) cmd.addAll(List.of("-G", "Ninja"));
        switch (request.backend()) {
            case CUDA -> {
                cmd.add("-DGGML_CUDA=ON");
                var arch = architectures(request);
                if (!arch.isBlank()) cmd.add("-DCMAKE_CUDA_ARCHITECTURES=" + arch);
            }
            case VULKAN -> cmd.add("-DGGML_VULKAN=ON");
            default -> { }
        }
        return cmd;
    }

    /** Each tool the build needs, or one line naming what to install. */
    private void requireTools(Backend backend) throws RagdeskException {
        var missing = new ArrayList<String>();
        for (var tool : List.of("npm", "git", "tar", "cmake")) if (which(env, tool).isEmpty()) missing.add(tool);
        if (which(env, "c++").isEmpty() && which(env, "g++").isEmpty() && which(env, "clang++").isEmpty()) missing.add("a C++ compiler (g++)");
        var nvcc = which(env, "nvcc");
        if (backend == Backend.CUDA && nvcc.isEmpty()) missing.add("the CUDA toolkit (nvcc)");
        if (backend == Backend.CUDA && nvcc.isPresent() && !hasCublas(nvcc.get())) {
            missing.add("cuBLAS, which this CUDA toolkit lacks (no cublas_v2.h beside " + nvcc.get()
                    + "; install its cuBLAS development files, e.g. apt-get install libcublas-dev-13-0)");
        }
        if (backend == Backend.VULKAN && which(env, "glslc").isEmpty()) missing.add("the Vulkan SDK (glslc, libvulkan-dev)");
        if (!missing.isEmpty()) {
            throw new RagdeskException("building llama-server needs " + String.join(", ", missing)
                    + (backend == Backend.CPU ? " (Debian/Ubuntu: apt-get install npm git cmake ninja-build g++)" : "")
                    + "; or point [engine].llama_server at a llama-server you have");
        }
    }

    /** npm checks the registry's integrity itself; this checks again against the pin, so a changed package is refused. */
    static void verify(Path tarball) throws RagdeskException {
        try {
            var actual = Base64.getEncoder().encodeToString(FileDigest.of(tarball, "SHA-512"));
            if (!actual.equals(PACKAGE_SHA512)) {
                throw new RagdeskException(tarball.getFileName() + " does not match its pinned sha512 (got " + actual + "); nothing was built");
            }
        } catch (IOException e) {
            throw new RagdeskException("cannot check " + tarball + ": " + e.getMessage(), e);
        }
    }

    /** Runs a build step, its output to the log; a failure names the step and its last line. */
    private void run(Path dir, List<String> cmd, Consumer<String> lines) throws IOException, RagdeskException, InterruptedException {
        log.info("engine build: {}", String.join(" ", cmd));
        // the tool found on the PATH this install was given (the JDK would search its own process's PATH)
        var resolved = new ArrayList<>(cmd);
        which(env, cmd.get(0)).ifPresent(tool -> resolved.set(0, tool.toString()));
        var builder = new ProcessBuilder(resolved).directory(dir.toFile()).redirectErrorStream(true);
        if (env.containsKey("PATH")) builder.environment().put("PATH", env.get("PATH"));
        var p = builder.start();
        p.getOutputStream().close();
        String last = "";
        String firstError = "";
        try (var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                log.info("[build] {}", line);
                lines.accept(line);
                if (!line.isBlank()) last = line.strip();
                if (firstError.isEmpty() && line.matches("(?i).*\\berror\\b.*") && !line.startsWith("--")) firstError = line.strip();
            }
        } finally {
            if (Thread.currentThread().isInterrupted()) p.destroyForcibly();
        }
        int code = p.waitFor();
        if (code != 0) {
            throw new RagdeskException(cmd.get(0) + " " + cmd.get(1) + " failed (exit " + code + "): "
                    + abbreviate(firstError.isEmpty() ? last : firstError) + "; the full output is in .data/logs/ragdesk.log");
        }
    }

    /** Copies a binary into {@code target} through a temp file and a rename, so a half-copied binary is never found. */
    private static void place(Path source, Path target) throws RagdeskException {
        try {
            Files.createDirectories(target.getParent());
            var partial = Files.createTempFile(target.getParent(), "." + LlamaServers.BINARY, ".part");
            Files.copy(source, partial, StandardCopyOption.REPLACE_EXISTING);
            partial.toFile().setExecutable(true, false);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new RagdeskException("cannot install " + target + ": " + e.getMessage(), e);
        }
    }

    private static String abbreviate(String line) {
        return line.length() > 160 ? line.substring(0, 160) + "…" : line;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (var p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static Optional<Path> which(Map<String, String> env, String tool) {
        return UserPaths.onPath(tool, env);
    }

    /** llama.cpp's CUDA backend links cuBLAS; some toolkits (containers, minimal installs) ship nvcc without it. */
    static boolean hasCublas(Path nvcc) {
        var candidates = new ArrayList<Path>();
        try {
            candidates.add(nvcc.toRealPath().getParent().getParent().resolve("include"));
        } catch (IOException e) {
            candidates.add(nvcc.getParent().getParent().resolve("include"));
        }
        candidates.add(Path.of("/usr/local/cuda/include"));
        candidates.add(Path.of("/usr/include"));
        return candidates.stream().anyMatch(dir -> Files.isRegularFile(dir.resolve("cublas_v2.h")));
    }

    static boolean nvidiaGpu() {
        return Files.exists(Path.of("/dev/nvidia0")) || Files.exists(Path.of("/proc/driver/nvidia/version"));
    }
}
