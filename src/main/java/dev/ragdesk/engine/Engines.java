package dev.ragdesk.engine;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.ModelSpec;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.engine.server.Accelerator;
import dev.ragdesk.engine.server.LlamaServers;
import dev.ragdesk.gpu.CudaHost;
import dev.ragdesk.engine.server.ServerLauncher;
import dev.ragdesk.gpu.GpuSample;
import dev.ragdesk.gpu.LayerPlanner;
import dev.ragdesk.gpu.Natives;
import dev.ragdesk.process.JvmCommand;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Builds a {@link ModelHost} and {@link ModelRequest}s from the workspace and config. */
public final class Engines {
    private Engines() {}

    public static WorkerLauncher launcher(Workspace workspace, Config config, String llamaVersion) throws RagdeskException {
        var llamaTmp = workspace.tmp().resolve("llama");
        var configured = config.llama().nativeLibDir();
        if (!configured.isEmpty()) {
            var dir = workspace.home().resolve(configured).normalize();
            if (!Files.isRegularFile(dir.resolve(System.mapLibraryName("jllama")))) {
                throw new RagdeskException("[llama].native_lib_dir is " + dir + " but it holds no "
                        + System.mapLibraryName("jllama") + "; build it (README, GPU notes) or clear the setting");
            }
            return new WorkerLauncher(JvmCommand.current(), llamaTmp, dir, workspace.tmp().resolve("cds"));
        }
        try {
            return new WorkerLauncher(JvmCommand.current(), llamaTmp,
                    NativeLibrary.extractBundled(workspace.tmp(), llamaVersion).orElse(null), workspace.tmp().resolve("cds"));
        } catch (IOException e) {
            throw new RagdeskException("cannot prepare the native library in " + workspace.tmp() + ": " + e.getMessage(), e);
        }
    }

    /** The engine that runs the models, and why it was chosen, in words for status and the log. */
    /** @param computesOn one line: the GPU backend in use and its libraries, or why the models run on the CPU */
    public record Choice(Launcher launcher, String why, String computesOn) {
        public String kind() { return launcher.kind(); }
    }

    /**
     * Picks the engine from [engine].kind: "jvm", "llama-server" (which must be found), or
     * "auto": llama-server when a working binary is found, else jvm.
     */
    public static Choice choose(Workspace workspace, Config config, String llamaVersion, Map<String, String> env) throws RagdeskException {
        var kind = config.engine().kind();
        if (kind.equals("jvm")) return new Choice(launcher(workspace, config, llamaVersion), "[engine].kind is \"jvm\"", jvmComputesOn(env));
        var notes = new ArrayList<String>();
        var found = LlamaServers.find(workspace, config.engine().llamaServer(), env, notes);
        if (found.isPresent()) {
            var f = found.get();
            var accelerator = Accelerator.decide(f.path(), CudaHost.here(env), env);
            return new Choice(new ServerLauncher(f, accelerator, workspace.run()),
                    "llama-server " + f.version() + " from " + f.source() + " (" + f.path() + ")", accelerator.line());
        }
        var none = "no llama-server found" + (notes.isEmpty() ? "" : " (" + String.join("; ", notes) + ")");
        if (kind.equals("llama-server")) {
            throw new RagdeskException("[engine].kind is \"llama-server\" but " + none
                    + "; run `ragdesk engine install`, or set [engine].llama_server to a binary");
        }
        return new Choice(launcher(workspace, config, llamaVersion), none + "; using java-llama.cpp (CPU)", jvmComputesOn(env));
    }

    /**
     * The same engine with a launcher of its own, its decisions kept (for a benchmark that runs a
     * host per round: a host closes its launcher, and deciding again would probe the GPU again).
     */
    public static Choice again(Choice choice, Workspace workspace, Config config, String llamaVersion) throws RagdeskException {
        var launcher = choice.launcher() instanceof ServerLauncher server
                ? new ServerLauncher(server.binary(), server.accelerator(), workspace.run())
                : launcher(workspace, config, llamaVersion);
        return new Choice(launcher, choice.why(), choice.computesOn());
    }

    /** The jvm engine offloads only with a CUDA build of libjllama.so; the host's verdict says what a GPU engine would find. */
    private static String jvmComputesOn(Map<String, String> env) {
        return CudaHost.here(env).inspect().verdict();
    }

    /** The host for the chosen engine; {@code planner} decides "auto" GPU layers when a model is about to load. */
    public static ModelHost host(Choice choice, LayerPlanner planner, Consumer<EngineEvent> events, ModelHost.Options options) {
        LoggerFactory.getLogger(Engines.class).info("engine: {}: {}; {}", choice.kind(), choice.why(), choice.computesOn());
        return new ModelHost(choice.launcher(), events, options, choice.why() + "; " + choice.computesOn(), planner::layersFor);
    }

    /** Whether the engine can put layers on a GPU: a CUDA build of libjllama.so, or a llama-server that lists a GPU device. */
    static boolean gpuCapable(Choice choice, Workspace workspace, Config config) {
        if (choice.launcher() instanceof ServerLauncher server) return server.accelerator().onGpu();
        return Natives.gpuCapable(nativeLibDir(workspace, config));
    }

    /** A role served by an OpenAI-compatible endpoint; the key is read from the environment variable the config names. */
    public static ModelRequest remoteRequest(String role, ModelSpec spec, Config config, Map<String, String> env) {
        var key = spec.apiKeyEnv().isEmpty() ? "" : env.getOrDefault(spec.apiKeyEnv(), "").strip();
        return new ModelRequest(role, spec.model(), null, config.llama().ctxSize(), 0, 0, false,
                new ModelRequest.Remote(spec.endpoint(), spec.model(), key, spec.apiKeyEnv()));
    }

    /**
     * How to load {@code file} for {@code role} under the [llama] settings. With gpu_layers
     * "auto" the layers are planned by the host at load time, once, from the memory free then:
     * asking twice in the same mode is the same request, and never reloads.
     */
    public static ModelRequest request(String role, Path file, Config config) {
        var llama = config.llama();
        int layers = llama.gpuLayers().isAuto() ? ModelRequest.AUTO_LAYERS : llama.gpuLayers().count();
        return new ModelRequest(role, ModelRequest.displayNameOf(file), file, llama.ctxSize(), layers,
                llama.effectiveThreads(), llama.flashAttn());
    }

    /** The configured native library folder, or null for java-llama.cpp's bundled one. */
    public static Path nativeLibDir(Workspace workspace, Config config) {
        var configured = config.llama().nativeLibDir();
        return configured.isEmpty() ? null : workspace.home().resolve(configured).normalize();
    }

    /** The layer planner for the chosen engine: GPU samples from {@code gpu}. */
    public static LayerPlanner planner(Choice choice, Workspace workspace, Config config, Supplier<GpuSample> gpu) {
        var cpuOnly = choice.launcher() instanceof ServerLauncher server ? server.accelerator().line() : null;
        return new LayerPlanner(config, gpu, gpuCapable(choice, workspace, config), cpuOnly);
    }
}
