package dev.ragdesk.gpu;

import dev.ragdesk.process.ProgramOutput;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * What this machine offers a prebuilt CUDA backend, read without loading anything: the NVIDIA
 * driver and the CUDA major version it supports, whether a device node exists, and where the
 * CUDA runtime and cuBLAS libraries of that version are. Many GPU servers have the driver and
 * PyTorch's pip wheels but no toolkit, so the libraries are looked for where each of those puts
 * them. The verdict is one line: what would be used and from where, or why the GPU would not be.
 *
 * <p>The file system root, the environment and the loader cache ({@code ldconfig -p}) are
 * parameters, so every case can be laid out in a test on a machine with no GPU.
 */
public final class CudaHost {
    /** The oldest driver each CUDA major version runs on (NVIDIA's compatibility table: 13.0 needs 580, 12.0 needs 525). */
    static final int CUDA13_DRIVER = 580;
    static final int CUDA12_DRIVER = 525;

    private static final Pattern DRIVER = Pattern.compile("Kernel Module\\s+(?:for \\S+\\s+)?((\\d+)\\.\\d+(?:\\.\\d+)?)");

    /** A library found, and which place in the search order found it. */
    public record Library(String name, Path path, String place) {}

    /**
     * @param driver   the driver's version ("580.65.06"), or empty without a driver
     * @param cuda     the CUDA major version to use (13 or 12), or 0 when none would run
     * @param libraries what was found of {@code libcudart}, {@code libcublas} and {@code libcublasLt} for that version
     * @param missing  the ones not found
     * @param searched the folders looked in, in order
     * @param verdict  one line: what would run and from where, or why nothing would
     */
    public record Report(String driver, int cuda, boolean device, List<Library> libraries, List<String> missing,
                         List<String> searched, String verdict) {
        public boolean usable() { return cuda > 0 && device && missing.isEmpty(); }
    }

    private final Path root;
    private final Map<String, String> env;
    private final Supplier<String> loaderCache;

    /** @param root "/" on a real machine; a folder laid out like one in tests */
    public CudaHost(Path root, Map<String, String> env, Supplier<String> loaderCache) {
        this.root = root;
        this.env = env;
        this.loaderCache = loaderCache;
    }

    /** This machine, as it is. */
    public static CudaHost here(Map<String, String> env) {
        return new CudaHost(Path.of("/"), env, CudaHost::ldconfig);
    }

    private Path at(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    /** The driver's version from /proc/driver/nvidia/version, which exists whenever the kernel module is loaded. */
    Optional<String> driver() {
        try {
            var m = DRIVER.matcher(Files.readString(at("/proc/driver/nvidia/version")));
            return m.find() ? Optional.of(m.group(1)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The newest CUDA major version a driver runs: 13 from 580 on, 12 from 525 on, else 0. */
    public static int cudaFor(int driverMajor) {
        if (driverMajor >= CUDA13_DRIVER) return 13;
        if (driverMajor >= CUDA12_DRIVER) return 12;
        return 0;
    }

    /**
     * Where to look for CUDA {@code major}'s libraries, in order: what the user pointed the
     * loader at ({@code LD_LIBRARY_PATH}), a toolkit ({@code CUDA_HOME}, {@code CUDA_PATH},
     * /usr/local/cuda-N.*, /usr/local/cuda), PyTorch's wheels (the active virtualenv or conda
     * environment, then the user's and the system's site-packages), then the loader's cache.
     */
    List<Path> searchOrder(int major) {
        var dirs = new LinkedHashSet<Path>();
        for (var dir : env.getOrDefault("LD_LIBRARY_PATH", "").split(":")) if (!dir.isBlank()) dirs.add(Path.of(dir));
        for (var variable : List.of("CUDA_HOME", "CUDA_PATH")) {
            var home = env.getOrDefault(variable, "");
            if (!home.isBlank()) {
                dirs.add(Path.of(home, "lib64"));
                dirs.add(Path.of(home, "lib"));
            }
        }
        for (var toolkit : sortedChildren(at("/usr/local"), "cuda-" + major + ".")) dirs.add(Path.of("/usr/local", toolkit, "lib64"));
        dirs.add(Path.of("/usr/local/cuda/lib64"));
        var sitePackages = new ArrayList<Path>();
        for (var variable : List.of("VIRTUAL_ENV", "CONDA_PREFIX")) {
            var prefix = env.getOrDefault(variable, "");
            if (!prefix.isBlank()) sitePackages.addAll(pythonSites(Path.of(prefix, "lib")));
        }
        var home = env.getOrDefault("HOME", "");
        if (!home.isBlank()) sitePackages.addAll(pythonSites(Path.of(home, ".local", "lib")));
        sitePackages.addAll(pythonSites(Path.of("/usr/local/lib")));
        sitePackages.addAll(pythonSites(Path.of("/usr/lib")));
        for (var site : sitePackages) {
            // nvidia-cuda-runtime-cu12 and nvidia-cublas-cu12 lay out nvidia/<part>/lib; the CUDA 13 wheels nvidia/cu13/lib
            dirs.add(site.resolve("nvidia/cuda_runtime/lib"));
            dirs.add(site.resolve("nvidia/cublas/lib"));
            dirs.add(site.resolve("nvidia/cu" + major + "/lib"));
        }
        // what `ragdesk engine install --backend cuda` fetched, last: a library the host has wins
        ragdeskFolder(env).ifPresent(folder -> {
            for (var version : sortedChildren(at(folder.toString()), major + ".")) dirs.add(folder.resolve(version));
        });
        return List.copyOf(dirs);
    }

    /** {@code prefix}/python3.*{@literal /}{site,dist}-packages that exist, newest Python first. */
    private List<Path> pythonSites(Path prefix) {
        var sites = new ArrayList<Path>();
        var children = new ArrayList<>(sortedChildren(at(prefix.toString()), "python3"));
        children.sort(java.util.Comparator.reverseOrder());
        for (var python : children) {
            for (var kind : List.of("site-packages", "dist-packages")) {
                var site = prefix.resolve(python).resolve(kind);
                if (Files.isDirectory(at(site.toString()))) sites.add(site);
            }
        }
        return sites;
    }

    private static List<String> sortedChildren(Path dir, String prefix) {
        if (!Files.isDirectory(dir)) return List.of();
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The libraries a CUDA {@code major} backend needs, in search order; the loader's cache last. */
    List<Library> find(int major, List<String> missing) {
        var found = new ArrayList<Library>();
        var order = searchOrder(major);
        var cache = loaderCacheEntries();
        for (var name : List.of("libcudart.so." + major, "libcublas.so." + major, "libcublasLt.so." + major)) {
            Library hit = null;
            for (var dir : order) {
                if (Files.exists(at(dir.resolve(name).toString()))) {
                    hit = new Library(name, dir.resolve(name), placeOf(dir));
                    break;
                }
            }
            if (hit == null && cache.containsKey(name)) hit = new Library(name, cache.get(name), "the loader's cache");
            if (hit == null) missing.add(name);
            else found.add(hit);
        }
        return found;
    }

    private String placeOf(Path dir) {
        var text = dir.toString();
        if (ragdeskFolder(env).map(dir::startsWith).orElse(false)) return "ragdesk's download in " + dir;
        if (List.of(env.getOrDefault("LD_LIBRARY_PATH", "").split(":")).contains(text)) return "LD_LIBRARY_PATH";
        if (text.contains("/nvidia/")) return "Python's nvidia wheels";
        return "a CUDA toolkit";
    }

    /** name → path from {@code ldconfig -p} lines such as "libcudart.so.12 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcudart.so.12". */
    private Map<String, Path> loaderCacheEntries() {
        var map = new java.util.LinkedHashMap<String, Path>();
        for (var line : loaderCache.get().split("\n")) {
            var arrow = line.indexOf("=>");
            if (arrow < 0) continue;
            var name = line.substring(0, arrow).trim().split("\\s+")[0];
            map.putIfAbsent(name, Path.of(line.substring(arrow + 2).trim()));
        }
        return map;
    }

    /**
     * Where ragdesk keeps the CUDA libraries it fetched, shared by every workspace of this user:
     * {@code $XDG_CACHE_HOME/ragdesk/cuda}, else {@code ~/.cache/ragdesk/cuda}.
     */
    public static Optional<Path> ragdeskFolder(Map<String, String> env) {
        var xdg = env.getOrDefault("XDG_CACHE_HOME", "");
        var home = env.getOrDefault("HOME", "");
        if (xdg.isBlank() && home.isBlank()) return Optional.empty();
        return Optional.of((xdg.isBlank() ? Path.of(home, ".cache") : Path.of(xdg)).resolve("ragdesk").resolve("cuda"));
    }

    /** What this machine offers a backend of CUDA {@code major} (an installed one): no fallback to another version. */
    public Report inspect(int major) {
        return inspect(major, false);
    }

    /** cuBLAS for compiling against: the folder with cublas_v2.h and the two libraries. */
    public record CublasDevelopment(Path include, Path cublas, Path cublasLt) {}

    /**
     * cuBLAS's headers beside its libraries, as pip's wheels lay them out ({@code
     * nvidia/cu13/{include,lib}}, {@code nvidia/cublas/{include,lib}}): what a --from-source build
     * needs on a host whose toolkit has nvcc but no cuBLAS.
     */
    public Optional<CublasDevelopment> cublasDevelopment(int major) {
        for (var dir : searchOrder(major)) {
            var cublas = dir.resolve("libcublas.so." + major);
            var header = dir.resolveSibling("include").resolve("cublas_v2.h");
            if (Files.exists(at(cublas.toString())) && Files.exists(at(header.toString()))) {
                return Optional.of(new CublasDevelopment(header.getParent(), cublas, dir.resolve("libcublasLt.so." + major)));
            }
        }
        return Optional.empty();
    }

    /** What this machine offers, and one line that says it. */
    public Report inspect() {
        return inspect(0, true);
    }

    private Report inspect(int wanted, boolean fallBack) {
        var driver = driver();
        boolean device = Files.exists(at("/dev/nvidia0"));
        if (driver.isEmpty()) {
            return new Report("", 0, device, List.of(), List.of(), List.of(),
                    "no NVIDIA driver (no /proc/driver/nvidia/version): the models run on the CPU");
        }
        var version = driver.get();
        int runs = cudaFor(Integer.parseInt(version.substring(0, version.indexOf('.'))));
        int cuda = wanted > 0 && runs >= wanted ? wanted : runs;
        if (wanted > 0 && runs > 0 && runs < wanted) {
            return new Report(version, 0, device, List.of(), List.of(), List.of(), "NVIDIA driver " + version + " runs CUDA " + runs
                    + " at most, and the installed backend is for CUDA " + wanted + ": run `ragdesk engine install --backend cuda` again");
        }
        if (cuda == 0) {
            return new Report(version, 0, device, List.of(), List.of(), List.of(), "NVIDIA driver " + version
                    + " is too old for CUDA 12 (it needs " + CUDA12_DRIVER + " or newer): update the driver to use the GPU");
        }
        if (!device) {
            return new Report(version, cuda, false, List.of(), List.of(), List.of(), "NVIDIA driver " + version
                    + " is loaded but no GPU device is visible (no /dev/nvidia0; in a container, pass the GPU in)");
        }
        // a driver that runs CUDA 13 runs 12 too: 12's libraries serve when 13's are not here
        var missing = new ArrayList<String>();
        var libraries = find(cuda, missing);
        if (!missing.isEmpty() && cuda == 13 && fallBack) {
            var missing12 = new ArrayList<String>();
            var libraries12 = find(12, missing12);
            if (missing12.isEmpty()) {
                cuda = 12;
                missing = missing12;
                libraries = libraries12;
            }
        }
        var searched = searchOrder(cuda).stream().map(Path::toString).toList();
        if (!missing.isEmpty()) {
            return new Report(version, cuda, true, libraries, missing, searched, "NVIDIA driver " + version + " runs CUDA " + cuda
                    + ", but " + String.join(", ", missing) + " " + (missing.size() == 1 ? "was" : "were")
                    + " not found (looked in LD_LIBRARY_PATH, CUDA toolkits, Python's nvidia wheels, the loader's cache and ragdesk's downloads)"
                    + ": `ragdesk engine install --backend cuda` fetches them");
        }
        var from = libraries.stream().map(l -> l.name() + " from " + l.place()).distinct().toList();
        return new Report(version, cuda, true, libraries, List.of(), searched,
                "NVIDIA driver " + version + ", CUDA " + cuda + ": " + String.join(", ", from));
    }

    private static String ldconfig() {
        for (var binary : List.of("/sbin/ldconfig", "/usr/sbin/ldconfig")) {
            if (Files.isExecutable(Path.of(binary))) return ProgramOutput.of(List.of(binary, "-p")).orElse("");
        }
        return "";
    }
}
