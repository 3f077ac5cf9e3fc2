package dev.ragdesk.engine.server;

import dev.ragdesk.io.FileTrees;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.process.ProgramOutput;
import dev.ragdesk.process.Threads;
import dev.ragdesk.gpu.CudaHost;
import dev.ragdesk.io.AtomicFiles;
import dev.ragdesk.io.FileDigest;
import dev.ragdesk.io.Sizes;
import dev.ragdesk.io.UserPaths;
import dev.ragdesk.models.Downloader;
import dev.ragdesk.models.Transfer;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Installs llama-server. The sources come from a package registry this project already reaches:
 * the npm package node-llama-cpp carries a git bundle of a llama.cpp release, pinned by version
 * and checked against its sha512 before anything is unpacked. They are compiled with this
 * machine's C++ toolchain as a shared-library build that loads backends at run time; a GPU
 * backend is then laid beside it prebuilt from node-llama-cpp's packages of the same release
 * ({@link GpuBackend}), so a GPU host needs its driver and no CUDA compiler. {@code
 * --from-source} compiles the GPU code here instead (nvcc, or the Vulkan SDK). A finished install
 * goes to {@code .data/engines/<key>/} and to the user's build cache, so the next workspace (or
 * CI run) reuses it instead of building.
 */
public final class EngineInstaller {
    private static final Logger log = LoggerFactory.getLogger(EngineInstaller.class);

    /** The pinned source: node-llama-cpp's package, whose integrity npm's registry publishes. */
    public static final String PACKAGE = "node-llama-cpp";
    public static final String PACKAGE_VERSION = "3.22.1";
    static final String PACKAGE_SHA512 = "bltIipuWmc123H7tMIgDGKSsSrhmhlQYeVUC48XTjVW7XGJJiJJyCdlTMzQ/LiWoPkGDpcL4FviDpgw7qfTiDw==";

    /** Llama 3's tokenizer as a vocabulary-only GGUF from llama.cpp's sources, kept beside the build for `bench --synthetic`. */
    public static final String LLAMA3_VOCABULARY = "vocab/ggml-vocab-llama-bpe.gguf";

    public enum Backend {
        CPU, CUDA, VULKAN;

        public String label() { return name().toLowerCase(Locale.ROOT); }

        /** "auto": CUDA where an NVIDIA driver is loaded (the prebuilt backend needs nothing more), else the CPU. */
        public static Backend parse(String text, Map<String, String> env) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "cpu" -> CPU;
                case "cuda" -> CUDA;
                case "vulkan" -> VULKAN;
                case "auto" -> nvidiaGpu() ? CUDA : CPU;
                default -> throw new IllegalArgumentException("--backend must be cpu, cuda, vulkan or auto, not \"" + text + "\"");
            };
        }
    }

    /** A line of progress: what is happening, and for the compile, how far ("[57/204]"). */
    public record Progress(String step, int done, int total) {}

    /**
     * @param cudaArchitectures for --from-source CUDA, e.g. "90" for an H100/H200, "86" for an RTX 30xx; empty: the card here
     * @param fromSource        compile the GPU backend here (nvcc, or the Vulkan SDK) instead of laying the prebuilt one in place
     */
    public record Request(Backend backend, int jobs, String cudaArchitectures, boolean fromSource, Optional<Path> sources) {
        public Request(Backend backend, int jobs, String cudaArchitectures) {
            this(backend, jobs, cudaArchitectures, false, Optional.empty());
        }

        public Request(Backend backend, int jobs, String cudaArchitectures, boolean fromSource) {
            this(backend, jobs, cudaArchitectures, fromSource, Optional.empty());
        }

        /** The same request for the shared CPU build that a GPU backend is laid beside. */
        Request sharedBuild() {
            return new Request(Backend.CPU, jobs, "", false, sources);
        }
    }

    /** @param notes lines for the user about what was and was not done (the GPU libraries, say) */
    public record Installed(Path binary, boolean built, String from, List<String> notes) {
        Installed(Path binary, boolean built, String from) {
            this(binary, built, from, List.of());
        }

        Installed withNotes(List<String> more) {
            var all = new ArrayList<>(notes);
            all.addAll(more);
            return new Installed(binary, built, from, List.copyOf(all));
        }
    }

    private final Path engines;
    private final Path tmp;
    private final Optional<Path> userCache;
    private final Map<String, String> env;
    private final CudaHost host;
    private final CudaLibraries cudaLibraries;

    /** Fetches the CUDA redistributable into a folder; a parameter so tests serve it from loopback. */
    @FunctionalInterface
    public interface CudaLibraries {
        void fetch(Path cudaFolder, Consumer<Progress> progress) throws RagdeskException, InterruptedException;
    }

    public EngineInstaller(Path engines, Path tmp, Optional<Path> userCache, Map<String, String> env) {
        this(engines, tmp, userCache, env, CudaHost.here(env), EngineInstaller::fetchRedistributable);
    }

    public EngineInstaller(Path engines, Path tmp, Optional<Path> userCache, Map<String, String> env, CudaHost host,
                           CudaLibraries cudaLibraries) {
        this.engines = engines;
        this.tmp = tmp;
        this.userCache = userCache;
        this.env = env;
        this.host = host;
        this.cudaLibraries = cudaLibraries;
    }

    /**
     * The folder name of a build compiled with its GPU code (--from-source): the sources' version
     * and the backend, and for CUDA the toolkit's version and the GPU architectures too, so a build
     * for another card or toolkit is never taken for this one ("…-cuda12.4-sm86").
     */
    public static String key(Backend backend, String cudaToolkit, String cudaArchitectures) {
        var key = PACKAGE + "-" + PACKAGE_VERSION + "-" + backend.label();
        if (backend == Backend.VULKAN) return key + "-from-source";
        if (backend == Backend.CPU) return sharedKey();
        var arch = cudaArchitectures.isBlank() ? "default" : cudaArchitectures.replaceAll("[^A-Za-z0-9]+", "_");
        return key + cudaToolkit + "-sm" + arch;
    }

    /**
     * The shared-library build that every install starts from: llama-server with its CPU backend,
     * loading any other backend at run time ({@code GGML_BACKEND_DL}).
     */
    public static String sharedKey() {
        return PACKAGE + "-" + PACKAGE_VERSION + "-cpu-dl";
    }

    /** That build with a prebuilt backend beside it: the backend, its CUDA version and the platform ("…-cuda13-prebuilt-x64"). */
    public static String prebuiltKey(GpuBackend backend) {
        return PACKAGE + "-" + PACKAGE_VERSION + "-" + backend.label() + "-prebuilt-x64";
    }

    /**
     * The key of a request on this machine: for --from-source CUDA nvcc's release and the card's
     * architecture are asked here; sources the user gave are never taken for the pinned ones.
     */
    String key(Request request) {
        var key = request.backend() != Backend.CUDA ? key(request.backend(), "", "")
                : key(Backend.CUDA, which(env, "nvcc").map(EngineInstaller::nvccRelease).orElse(""), architectures(request));
        return request.sources().isPresent() ? key + "-own-sources" : key;
    }

    public Installed install(Request request, Consumer<Progress> progress) throws RagdeskException, InterruptedException {
        if (request.fromSource() && request.backend() != Backend.CPU) {
            var module = request.backend() == Backend.CUDA ? "ggml-cuda" : "ggml-vulkan";
            return build(key(request), request, configure(request), List.of(LlamaServers.BINARY, "ggml-cpu", module), progress);
        }
        var sharedRequest = request.sharedBuild();
        var shared = build(key(sharedRequest), sharedRequest, configure(sharedRequest), List.of(LlamaServers.BINARY, "ggml-cpu"), progress);
        if (request.backend() == Backend.CPU) return shared;
        return installPrebuilt(request.backend(), shared, progress);
    }

    /**
     * Lays a prebuilt GPU backend beside a copy of the shared build. For CUDA the version follows
     * the driver and the libraries this host has; where it has the driver but not the libraries,
     * the redistributable is fetched into the user's cache (its size said first).
     */
    private Installed installPrebuilt(Backend kind, Installed shared, Consumer<Progress> progress)
            throws RagdeskException, InterruptedException {
        var choice = kind == Backend.VULKAN ? new Choice(GpuBackend.VULKAN, false, List.of()) : chooseCuda();
        var key = prebuiltKey(choice.backend());
        var target = engines.resolve(key);
        var installed = reuse(key);
        if (installed.isEmpty()) installed = Optional.of(assemble(choice.backend(), shared.binary().getParent(), key, target, progress));
        var notes = new ArrayList<>(choice.notes());
        if (choice.fetchLibraries()) {
            var folder = CudaHost.ragdeskFolder(env).orElse(engines.resolveSibling("cuda"));
            if (!CudaRedist.present(folder, CudaRedist.CUDA_12_6)) {
                progress.accept(new Progress("fetching the " + CudaRedist.cost(CudaRedist.CUDA_12_6), 0, 0));
                cudaLibraries.fetch(folder, progress);
            }
            notes.add("CUDA 12.6's runtime and cuBLAS are in " + CudaRedist.folder(folder, CudaRedist.CUDA_12_6));
        }
        return installed.get().withNotes(notes);
    }

    /** The backend to lay in place, whether its CUDA libraries must be fetched, and what to tell the user. */
    private record Choice(GpuBackend backend, boolean fetchLibraries, List<String> notes) {}

    /** CUDA 13's backend where the driver runs 13 and its libraries are here, else 12's (the host's libraries or the redistributable). */
    private Choice chooseCuda() throws RagdeskException {
        var report = host.inspect();
        if (report.driver().isEmpty()) {
            return new Choice(GpuBackend.CUDA13, false,
                    List.of("no NVIDIA driver here, so no CUDA libraries were fetched; the backend is used where a driver and a GPU are"));
        }
        if (report.cuda() == 0) throw new RagdeskException(report.verdict());
        if (report.missing().isEmpty()) return new Choice(report.cuda() == 13 ? GpuBackend.CUDA13 : GpuBackend.CUDA12, false, List.of());
        return new Choice(GpuBackend.CUDA12, true, List.of());
    }

    /**
     * An install of {@code key} already here, or placed from the user's cache; empty when neither
     * holds a complete one.
     */
    private Optional<Installed> reuse(String key) throws RagdeskException {
        var target = engines.resolve(key);
        var binary = target.resolve(LlamaServers.BINARY);
        if (complete(target)) return Optional.of(new Installed(binary, false, "already installed"));
        var cached = userCache.map(c -> c.resolve(key)).filter(EngineInstaller::complete);
        if (cached.isEmpty()) return Optional.empty();
        placeFolder(cached.get(), target);
        return Optional.of(new Installed(binary, false, "the build cache " + cached.get()));
    }

    /** The shared build's files and the backend from its npm package, checked against the pin, placed in one rename. */
    private Installed assemble(GpuBackend backend, Path shared, String key, Path target, Consumer<Progress> progress)
            throws RagdeskException, InterruptedException {
        requireTools(List.of("npm", "tar"), "");
        var work = tmp.resolve("engine-build-" + key);
        try {
            FileTrees.delete(work);
            Files.createDirectories(work);
            progress.accept(new Progress("fetching " + backend.spec() + " from the npm registry (" + Sizes.human(backend.tarballBytes()) + ")", 0, 0));
            run(work, List.of("npm", "pack", "--silent", backend.spec()), line -> {});
            var tarball = work.resolve(backend.tarballName());
            verify(tarball, backend.sha512());
            run(work, List.of("tar", "xzf", tarball.getFileName().toString(), backend.member()), line -> {});
            var folder = work.resolve("assembled");
            copyFiles(shared, folder);
            var library = folder.resolve(backend.library());
            Files.createDirectories(library.getParent());
            Files.move(work.resolve(backend.member()), library);
            Files.writeString(folder.resolve(GpuBackend.MARKER), backend.markerText());
            var stored = userCache.map(c -> c.resolve(key)).orElse(target);
            placeFolder(folder, stored);
            if (!stored.equals(target)) placeFolder(stored, target);
            return new Installed(target.resolve(LlamaServers.BINARY), false, "the prebuilt " + backend.spec() + " beside the shared build");
        } catch (IOException e) {
            throw new RagdeskException("installing the " + backend.label() + " backend failed: " + e.getMessage() + "; the log is .data/logs/ragdesk.log", e);
        } finally {
            quietlyDelete(work);
        }
    }

    /**
     * Builds llama-server (the {@code targets}) from the pinned sources into {@code .data/engines/<key>}
     * and the user's cache, unless a working copy is there already.
     */
    private Installed build(String key, Request request, List<String> configure, List<String> targets, Consumer<Progress> progress)
            throws RagdeskException, InterruptedException {
        var reused = reuse(key);
        if (reused.isPresent()) return reused.get();
        var target = engines.resolve(key);
        var binary = target.resolve(LlamaServers.BINARY);
        requireBuildTools(request);
        var work = tmp.resolve("engine-build-" + key);
        boolean finished = false;
        boolean interrupted = false;
        try {
            // a compile cut short by Ctrl-C or a kill goes on where it stopped: CUDA's takes most of an hour on a small server
            boolean resume = Files.isRegularFile(work.resolve("build/CMakeCache.txt")) && Files.isDirectory(work.resolve("src"));
            if (resume) {
                progress.accept(new Progress("going on with the build left in " + work, 0, 0));
            } else {
                FileTrees.delete(work);
                Files.createDirectories(work);
                fetchSources(request, work, progress);
            }
            var vocabulary = work.resolve("build/bin").resolve(LLAMA3_VOCABULARY);
            if (Files.isRegularFile(work.resolve("src/models/ggml-vocab-llama-bpe.gguf")) && !Files.exists(vocabulary)) {
                Files.createDirectories(vocabulary.getParent());
                Files.copy(work.resolve("src/models/ggml-vocab-llama-bpe.gguf"), vocabulary);
            }
            progress.accept(new Progress("configuring the " + request.backend().label() + " build", 0, 0));
            run(work, configure, line -> {});
            var step = Pattern.compile("^\\[(\\d+)/(\\d+)]");
            var buildCommand = new ArrayList<>(List.of("cmake", "--build", "build", "--target"));
            buildCommand.addAll(targets);
            buildCommand.addAll(List.of("-j", String.valueOf(request.jobs())));
            run(work, buildCommand, line -> {
                var m = step.matcher(line);
                if (m.find()) progress.accept(new Progress("compiling", Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
            });
            var built = work.resolve("build/bin");
            if (!Files.isRegularFile(built.resolve(LlamaServers.BINARY))) {
                throw new RagdeskException("the build finished but made no " + built.resolve(LlamaServers.BINARY) + "; see .data/logs/ragdesk.log");
            }
            var folder = work.resolve("install");
            copyFiles(built, folder);
            if (request.fromSource() && request.backend() != Backend.CPU) layOutModule(request, folder);
            LlamaServers.check(folder.resolve(LlamaServers.BINARY), "the fresh build");
            placeFolder(folder, target);
            userCache.ifPresent(cache -> {
                try {
                    placeFolder(folder, cache.resolve(key));
                } catch (RagdeskException e) {
                    log.warn("could not keep the build in {}: {}", cache, e.getMessage());
                }
            });
            finished = true;
            return new Installed(binary, true, "a build from " + PACKAGE + "@" + PACKAGE_VERSION);
        } catch (IOException e) {
            throw new RagdeskException("building llama-server failed: " + e.getMessage() + "; the log is .data/logs/ragdesk.log", e);
        } catch (InterruptedException e) {
            interrupted = true;
            throw e;
        } finally {
            // a finished build was copied out; a failed one leaves nothing that a later install could take for a build.
            // An interrupted one keeps its objects for the next install to go on with, never as an install.
            if (!interrupted) quietlyDelete(work);
            if (!finished) {
                log.info("engine build of {} did not finish; its folder {} was {}", key, work, interrupted ? "kept to go on with" : "removed");
            }
        }
    }

    /** llama.cpp's sources into {@code work/src}: the user's own, or the pinned npm package's bundle, checked against its pin. */
    private void fetchSources(Request request, Path work, Consumer<Progress> progress) throws IOException, RagdeskException, InterruptedException {
        if (request.sources().isPresent()) {
            unpackOwnSources(request.sources().get(), work);
            return;
        }
        progress.accept(new Progress("fetching " + PACKAGE + "@" + PACKAGE_VERSION + " from the npm registry (36 MB)", 0, 0));
        run(work, List.of("npm", "pack", "--silent", PACKAGE + "@" + PACKAGE_VERSION), line -> {});
        var tarball = work.resolve(PACKAGE + "-" + PACKAGE_VERSION + ".tgz");
        verify(tarball, PACKAGE_SHA512);
        progress.accept(new Progress("unpacking llama.cpp's sources", 0, 0));
        run(work, List.of("tar", "xzf", tarball.getFileName().toString(), "package/llama/gitRelease.bundle"), line -> {});
        run(work, List.of("git", "clone", "--quiet", "package/llama/gitRelease.bundle", "src"), line -> {});
    }

    /** A source tree or tarball the user gave (--sources), used as it is: no pin can vouch for it, so the log says so. */
    private void unpackOwnSources(Path sources, Path work) throws IOException, RagdeskException, InterruptedException {
        var src = work.resolve("src");
        log.warn("building from the user's own sources {}: not checked against a pin", sources);
        if (Files.isDirectory(sources)) {
            Files.createSymbolicLink(src, sources.toAbsolutePath());
            return;
        }
        if (!Files.isRegularFile(sources)) throw new RagdeskException("--sources names " + sources + ", which does not exist");
        Files.createDirectories(src);
        run(work, List.of("tar", "xf", sources.toAbsolutePath().toString(), "-C", "src"), line -> {});
        if (!Files.isRegularFile(src.resolve("CMakeLists.txt"))) {
            throw new RagdeskException(sources + " holds no CMakeLists.txt at its top: give llama.cpp's source tree");
        }
    }

    /** A GPU module compiled here goes where the prebuilt one would, with the same marker, so one launch path serves both. */
    private void layOutModule(Request request, Path folder) throws IOException, RagdeskException {
        GpuBackend backend;
        if (request.backend() == Backend.VULKAN) {
            backend = GpuBackend.VULKAN;
        } else {
            var release = which(env, "nvcc").map(EngineInstaller::nvccRelease).orElse("");
            backend = release.startsWith("12.") ? GpuBackend.CUDA12 : GpuBackend.CUDA13;
        }
        var built = folder.resolve(Path.of(backend.library()).getFileName());
        if (!Files.isRegularFile(built)) throw new RagdeskException("the build made no " + built.getFileName() + "; see .data/logs/ragdesk.log");
        var library = folder.resolve(backend.library());
        Files.createDirectories(library.getParent());
        Files.move(built, library);
        Files.writeString(folder.resolve(GpuBackend.MARKER), backend.markerText());
    }

    /** The redistributable through the model downloader: resumable, verified against the pin, with progress. */
    private static void fetchRedistributable(Path cudaFolder, Consumer<Progress> progress) throws RagdeskException, InterruptedException {
        var http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(20)).readTimeout(Duration.ofMinutes(2)).build();
        var downloader = new Downloader(http, Downloader.DiskSpace.REAL, Downloader.Sleeper.REAL, Downloader.RetryPolicy.DEFAULT);
        var lastTenth = new int[] {-1};
        CudaRedist.fetch(cudaFolder, CudaRedist.CUDA_12_6, downloader, p -> {
            int tenth = (int) (p.fraction() * 10);
            if (p.total() > 0 && tenth != lastTenth[0]) {
                lastTenth[0] = tenth;
                progress.accept(new Progress("downloading the CUDA libraries " + Sizes.human(p.done()) + " of " + Sizes.human(p.total()), 0, 0));
            }
        }, new Transfer());
    }

    /**
     * A folder is an install only when its llama-server answers {@code --version} and the backend
     * its marker names is there: a copy cut short by a full disk or a kill is removed, so the next
     * install replaces it. (Folders are placed by one rename, so a cut copy is rare; this is the check.)
     */
    private static boolean complete(Path folder) {
        var binary = folder.resolve(LlamaServers.BINARY);
        if (!Files.isDirectory(folder)) return false;
        boolean markerOk = !Files.exists(folder.resolve(GpuBackend.MARKER)) || GpuBackend.installedBeside(binary).isPresent();
        if (markerOk && works(binary, "the install in " + folder)) return true;
        log.warn("not using {}: incomplete", folder);
        quietlyDelete(folder);
        return false;
    }

    /** Whether {@code binary} is there and answers {@code --version} as llama-server. */
    private static boolean works(Path binary, String what) {
        if (!Files.isRegularFile(binary)) return false;
        try {
            LlamaServers.check(binary, what);
            return true;
        } catch (RagdeskException e) {
            log.warn("not using {}: {}", what, e.getMessage());
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

    /**
     * The cmake configuration: a shared-library build that loads its backends at run time from its
     * own folder or {@code GGML_BACKEND_PATH}. Its libraries find each other through {@code
     * $ORIGIN}, so the folder works wherever it is copied, and their names carry no version, as the
     * prebuilt backends expect ({@code libggml-base.so}). Its CPU backend has the same instruction
     * sets as the static build it replaced (AVX2, FMA, F16C: ggml's defaults with GGML_NATIVE off).
     * --from-source adds the GPU module to the same build.
     */
    private List<String> configure(Request request) {
        var cmd = new ArrayList<>(List.of("cmake", "-S", "src", "-B", "build", "-DCMAKE_BUILD_TYPE=Release",
                "-DGGML_NATIVE=OFF", "-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF",
                "-DLLAMA_BUILD_SERVER=ON", "-DBUILD_SHARED_LIBS=ON", "-DGGML_BACKEND_DL=ON", "-DCMAKE_PLATFORM_NO_VERSIONED_SONAME=ON",
                "-DCMAKE_BUILD_WITH_INSTALL_RPATH=ON", "-DCMAKE_INSTALL_RPATH=$ORIGIN"));
        if (which(env, "ninja").isPresent()) cmd.addAll(List.of("-G", "Ninja"));
        if (!request.fromSource()) return cmd;
        switch (request.backend()) {
            case CUDA -> {
                cmd.add("-DGGML_CUDA=ON");
                var arch = architectures(request);
                if (!arch.isBlank()) cmd.add("-DCMAKE_CUDA_ARCHITECTURES=" + arch);
                which(env, "nvcc").ifPresent(nvcc -> cmd.add("-DCMAKE_CUDA_COMPILER=" + nvcc));
                // cuBLAS from pip's wheels where the toolkit has none: its headers and libraries named to CMake
                cublasFromWheels().ifPresent(wheel -> {
                    var include = wheel.include().toString();
                    cmd.add("-DCMAKE_CUDA_FLAGS=-I" + include);
                    cmd.add("-DCMAKE_CXX_FLAGS=-I" + include);
                    cmd.add("-DCUDA_cublas_LIBRARY=" + wheel.cublas());
                    cmd.add("-DCUDA_cublasLt_LIBRARY=" + wheel.cublasLt());
                });
            }
            case VULKAN -> cmd.add("-DGGML_VULKAN=ON");
            default -> { }
        }
        return cmd;
    }

    /** cuBLAS's headers and libraries in Python's nvidia wheels, for a toolkit that lacks them (pip's nvidia-cublas). */
    private Optional<CudaHost.CublasDevelopment> cublasFromWheels() {
        var nvcc = which(env, "nvcc");
        if (nvcc.isEmpty() || hasCublas(nvcc.get())) return Optional.empty();
        var release = nvccRelease(nvcc.get());
        if (release.isBlank()) return Optional.empty();
        return host.cublasDevelopment(Integer.parseInt(release.substring(0, release.indexOf('.'))));
    }

    /** Each tool a build needs, or one line naming what to install. */
    private void requireBuildTools(Request request) throws RagdeskException {
        var backend = request.backend();
        var missing = new ArrayList<String>();
        for (var tool : List.of("npm", "git", "tar", "cmake")) if (which(env, tool).isEmpty()) missing.add(tool);
        if (which(env, "c++").isEmpty() && which(env, "g++").isEmpty() && which(env, "clang++").isEmpty()) missing.add("a C++ compiler (g++)");
        if (request.fromSource()) {
            var nvcc = which(env, "nvcc");
            if (backend == Backend.CUDA && nvcc.isEmpty()) missing.add("the CUDA toolkit (nvcc)");
            if (backend == Backend.CUDA && nvcc.isPresent() && !hasCublas(nvcc.get()) && cublasFromWheels().isEmpty()) {
                missing.add("cuBLAS, which this CUDA toolkit lacks (no cublas_v2.h beside " + nvcc.get()
                        + "; install its cuBLAS development files, e.g. apt-get install libcublas-dev-13-0)");
            }
            if (backend == Backend.VULKAN && which(env, "glslc").isEmpty()) missing.add("the Vulkan SDK (glslc, libvulkan-dev)");
        }
        if (!missing.isEmpty()) {
            throw new RagdeskException("building llama-server needs " + String.join(", ", missing)
                    + (missing.size() <= 5 && !request.fromSource() ? " (Debian/Ubuntu: apt-get install npm git cmake ninja-build g++)" : "")
                    + "; or point [engine].llama_server at a llama-server you have"
                    + (request.fromSource() ? ", or drop --from-source to use the prebuilt backend" : ""));
        }
    }

    private void requireTools(List<String> tools, String hint) throws RagdeskException {
        var missing = tools.stream().filter(tool -> which(env, tool).isEmpty()).toList();
        if (!missing.isEmpty()) throw new RagdeskException("installing the backend needs " + String.join(", ", missing) + hint);
    }

    /** npm checks the registry's integrity itself; this checks again against the pin, so a changed package is refused. */
    static void verify(Path tarball, String sha512) throws RagdeskException {
        try {
            var actual = Base64.getEncoder().encodeToString(FileDigest.of(tarball, "SHA-512"));
            if (!actual.equals(sha512)) {
                throw new RagdeskException(tarball.getFileName() + " does not match its pinned sha512 (got " + actual + "); nothing was installed");
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
        var last = new String[] {""};
        var firstError = new String[] {""};
        // the output is read on its own thread, so that this one waits interruptibly: Ctrl-C ends the tool and its children
        var reader = Threads.start(() -> {
            try (var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    log.info("[build] {}", line);
                    lines.accept(line);
                    if (!line.isBlank()) last[0] = line.strip();
                    if (firstError[0].isEmpty() && line.matches("(?i).*\\berror\\b.*") && !line.startsWith("--")) firstError[0] = line.strip();
                }
            } catch (IOException e) {
                log.debug("build output ended: {}", e.toString());
            }
        }, "engine-build-output");
        int code;
        try {
            code = p.waitFor();
            reader.join();
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw e;
        }
        String lastLine = last[0];
        String firstErrorLine = firstError[0];
        if (code != 0) {
            throw new RagdeskException(cmd.get(0) + " " + cmd.get(1) + " failed (exit " + code + "): "
                    + abbreviate(firstErrorLine.isEmpty() ? lastLine : firstErrorLine) + "; the full output is in .data/logs/ragdesk.log");
        }
    }

    /**
     * Places a whole install folder by one rename of a complete copy, so a half-copied install is
     * never found. A copy from the user's cache is hard-linked where it can be: a CUDA backend is
     * 159 MB, and every workspace would otherwise hold its own.
     */
    private static void placeFolder(Path source, Path target) throws RagdeskException {
        Path partial = null;
        try {
            Files.createDirectories(target.getParent());
            partial = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".part-");
            copyFiles(source, partial);
            FileTrees.delete(target);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            AtomicFiles.fsyncDirectory(target.getParent());
        } catch (IOException e) {
            throw new RagdeskException("cannot install " + target + ": " + e.getMessage(), e);
        } finally {
            if (partial != null) quietlyDelete(partial);
        }
    }

    /** The regular files of {@code source} (one level of subfolders: the backend's), linked or copied, with their modes. */
    private static void copyFiles(Path source, Path target) throws IOException {
        Files.createDirectories(target);
        try (var walk = Files.walk(source, 2)) {
            for (var file : walk.filter(Files::isRegularFile).toList()) {
                var name = file.getFileName().toString();
                if (name.startsWith(".")) continue;
                boolean wanted = name.equals(LlamaServers.BINARY) || name.endsWith(".so") || name.equals(GpuBackend.MARKER)
                        || file.endsWith(LLAMA3_VOCABULARY);
                if (!wanted) continue;
                var to = target.resolve(source.relativize(file).toString());
                Files.createDirectories(to.getParent());
                try {
                    Files.createLink(to, file);
                } catch (IOException | UnsupportedOperationException e) {
                    Files.copy(file, to, StandardCopyOption.COPY_ATTRIBUTES);
                    AtomicFiles.fsync(to);
                }
            }
        }
    }

    private static void quietlyDelete(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            log.warn("cannot remove {}: {}", dir, e.toString());
        }
    }

    private static String abbreviate(String line) {
        return line.length() > 160 ? line.substring(0, 160) + "…" : line;
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
