package dev.ragdesk.engine.server;

import dev.ragdesk.gpu.CudaHost;
import dev.ragdesk.process.ProgramOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a llama-server will compute on, decided once before any server starts.
 *
 * <p>A prebuilt GPU backend ({@code cuda/libggml-cuda.so} beside the binary) is loaded only
 * through {@code GGML_BACKEND_PATH}, and only when this machine can run it: a driver new enough,
 * a device, the CUDA libraries of the backend's version, and a probe ({@code --list-devices} with
 * exactly that environment) that lists a device. A CUDA backend that loads but cannot initialise
 * slows the CPU path about 40-fold (3.2 against 107-140 tokens/s on stories260K), so it is never
 * loaded on a guess. The line says what runs and from where, or why the GPU is not used.
 *
 * @param label       "cpu", "cuda13", "vulkan", or "gpu" for a build with its GPU code linked in
 * @param environment what the server's process needs in its environment for that backend
 * @param line        one line for `engine`, `status` and the console
 */
public record Accelerator(String label, Map<String, String> environment, String line) {
    private static final Logger log = LoggerFactory.getLogger(Accelerator.class);

    public Accelerator {
        environment = Map.copyOf(environment);
    }

    public boolean onGpu() { return !label.equals("cpu"); }

    public static Accelerator cpu(String why) {
        return new Accelerator("cpu", Map.of(), why);
    }

    /**
     * Decides for the llama-server at {@code binary}, which this machine's {@code host} describes;
     * {@code env} is the user's environment (its LD_LIBRARY_PATH is kept after the CUDA folders).
     */
    public static Accelerator decide(Path binary, CudaHost host, Map<String, String> env) {
        var installed = GpuBackend.installedBeside(binary);
        if (installed.isEmpty()) {
            var report = host.inspect();
            if (report.driver().isEmpty()) return cpu(report.verdict());
            // a build with CUDA or Vulkan compiled in (--from-source) decides for itself when it starts
            var devices = listDevices(binary, Map.of());
            if (!devices.devices().isEmpty()) return new Accelerator("gpu", Map.of(), devices.devices().get(0) + " (a build with its GPU code linked in)");
            return cpu("this llama-server has no GPU backend (a CPU build): `ragdesk engine install --backend cuda` lays the prebuilt one beside it");
        }
        var backend = installed.get();
        if (backend.cudaMajor() == 0) return probe(binary, backend, Map.of(), "Vulkan", "");
        var report = host.inspect(backend.cudaMajor());
        if (!report.usable()) return cpu(report.verdict());
        var folders = new LinkedHashSet<String>();
        for (var library : report.libraries()) folders.add(library.path().getParent().toString());
        var inherited = env.getOrDefault("LD_LIBRARY_PATH", "");
        if (!inherited.isBlank()) folders.add(inherited);
        var from = report.libraries().stream().map(l -> l.name() + " from " + l.place()).distinct().toList();
        return probe(binary, backend, Map.of("LD_LIBRARY_PATH", String.join(":", folders)), "CUDA " + backend.cudaMajor(),
                " (" + String.join(", ", from) + ")");
    }

    private static Accelerator probe(Path binary, GpuBackend backend, Map<String, String> libraries, String name, String from) {
        var environment = new LinkedHashMap<>(libraries);
        environment.put("GGML_BACKEND_PATH", binary.resolveSibling(backend.library()).toString());
        var devices = listDevices(binary, environment);
        if (!devices.devices().isEmpty()) {
            return new Accelerator(backend.label(), environment, name + ": " + devices.devices().get(0) + from);
        }
        return cpu("the " + name + " backend " + devices.why() + ", so the models run on the CPU");
    }

    /** The devices llama-server lists, and when there are none, what its output says about why. */
    record Devices(List<String> devices, String why) {}

    private static final Pattern DEVICE = Pattern.compile("^\\s+(\\S+: .+)$");
    private static final Pattern NO_DEVICE = Pattern.compile("(failed to initialize CUDA: .+|ggml_vulkan: .*(?:No devices|failed|error).*)",
            Pattern.CASE_INSENSITIVE);
    /** The loader's reason after the backend's own path: "failed to load /x/libggml-cuda.so: /x/libggml-cuda.so: libcuda.so.1: cannot open…" */
    private static final Pattern NOT_LOADED = Pattern.compile("failed to load (\\S+?): (?:\\1: )?(.+)$");

    /** CUDA's start-up on a many-GPU machine takes seconds; a probe that has not answered in a minute is a no. */
    private static final java.time.Duration PROBE_LIMIT = java.time.Duration.ofSeconds(60);

    static Devices listDevices(Path binary, Map<String, String> environment) {
        var answer = ProgramOutput.of(List.of(binary.toString(), "--list-devices"), environment, PROBE_LIMIT);
        if (answer.isEmpty()) return new Devices(List.of(), "did not list its devices within " + PROBE_LIMIT.toSeconds() + " s");
        var out = answer.get();
        log.info("{} --list-devices with {}:\n{}", binary, environment, out);
        var devices = new ArrayList<String>();
        boolean listing = false;
        for (var line : out.lines().toList()) {
            if (line.startsWith("Available devices:")) {
                listing = true;
            } else if (listing) {
                var m = DEVICE.matcher(line);
                if (m.find()) devices.add(m.group(1).strip());
                else if (!line.isBlank()) listing = false;
            }
        }
        if (!devices.isEmpty()) return new Devices(devices, "");
        for (var line : out.lines().toList()) {
            var notLoaded = NOT_LOADED.matcher(line);
            if (notLoaded.find()) return new Devices(List.of(), "could not be loaded (" + shorten(notLoaded.group(2).strip()) + ")");
            var noDevice = NO_DEVICE.matcher(line);
            if (noDevice.find()) return new Devices(List.of(), "found no device (" + shorten(noDevice.group(1).strip()) + ")");
        }
        return new Devices(List.of(), "found no device (see .data/logs/ragdesk.log for llama-server's --list-devices)");
    }

    private static String shorten(String s) {
        return s.length() <= 140 ? s : s.substring(0, 140) + "…";
    }
}
