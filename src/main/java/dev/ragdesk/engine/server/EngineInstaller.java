package dev.ragdesk.engine.server;

import dev.ragdesk.RagdeskException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
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

    /** "node-llama-cpp-3.22.1-cpu": the folder name of one build. */
    public static String key(Backend backend) {
        return PACKAGE + "-" + PACKAGE_VERSION + "-" + backend.label();
    }

    public Installed install(Request request, Consumer<Progress> progress) throws RagdeskException, InterruptedException {
        var key = key(request.backend());
        var target = engines.resolve(key).resolve(LlamaServers.BINARY);
        if (Files.isRegularFile(target)) return new Installed(target, false, "already installed");
        var cached = userCache.map(c -> c.resolve(key).resolve(LlamaServers.BINARY)).filter(Files::isRegularFile);
        if (cached.isPresent()) {
            place(cached.get(), target);
            return new Installed(target, false, "the build cache " + cached.get().getParent());
        }
        requireTools(request.backend());
        var work = tmp.resolve("engine-build-" + key);
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
            deleteTree(work);
            return new Installed(target, true, "a build from " + PACKAGE + "@" + PACKAGE_VERSION);
        } catch (IOException e) {
            throw new RagdeskException("building llama-server failed: " + e.getMessage() + "; the log is .data/logs/ragdesk.log", e);
        }
    }

    private List<String> configure(Request request) {
        var cmd = new ArrayList<>(List.of("cmake", "-S", "src", "-B", "build", "-DCMAKE_BUILD_TYPE=Release",
                "-DGGML_NATIVE=OFF", "-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
                "-DLLAMA_BUILD_SERVER=ON", "-DBUILD_SHARED_LIBS=OFF"));
        if (which(env, "ninja").isPresent()) cmd.addAll(List.of("-G", "Ninja"));
        switch (request.backend()) {
            case CUDA -> {
                cmd.add("-DGGML_CUDA=ON");
                var arch = request.cudaArchitectures().isBlank() ? (nvidiaGpu() ? "native" : "") : request.cudaArchitectures();
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
        try (var in = Files.newInputStream(tarball)) {
            var digest = MessageDigest.getInstance("SHA-512");
            var buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) digest.update(buffer, 0, n);
            var actual = Base64.getEncoder().encodeToString(digest.digest());
            if (!actual.equals(PACKAGE_SHA512)) {
                throw new RagdeskException(tarball.getFileName() + " does not match its pinned sha512 (got " + actual + "); nothing was built");
            }
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new RagdeskException("cannot check " + tarball + ": " + e.getMessage(), e);
        }
    }

    /** Runs a build step, its output to the log; a failure names the step and its last line. */
    private void run(Path dir, List<String> cmd, Consumer<String> lines) throws IOException, RagdeskException, InterruptedException {
        log.info("engine build: {}", String.join(" ", cmd));
        var p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
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
            for (var p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static Optional<Path> which(Map<String, String> env, String tool) {
        return dev.ragdesk.io.UserPaths.onPath(tool, env);
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
