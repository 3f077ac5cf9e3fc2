package dev.ragdesk.engine;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.gpu.LayerPlanner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

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

    public static ModelHost host(Workspace workspace, Config config, String llamaVersion, Consumer<EngineEvent> events,
                                 ModelHost.Options options) throws RagdeskException {
        return new ModelHost(launcher(workspace, config, llamaVersion), events, options);
    }

    /** How to load {@code file} for {@code role} under the [llama] settings, with layers from the planner. */
    public static ModelRequest request(String role, Path file, Config config, LayerPlanner layers) {
        var llama = config.llama();
        return new ModelRequest(role, ModelRequest.displayNameOf(file), file, llama.ctxSize(), layers.layersFor(file),
                llama.effectiveThreads(), llama.flashAttn());
    }

    /** The configured native library folder, or null for java-llama.cpp's bundled one. */
    public static Path nativeLibDir(Workspace workspace, Config config) {
        var configured = config.llama().nativeLibDir();
        return configured.isEmpty() ? null : workspace.home().resolve(configured).normalize();
    }

    /** The layer planner for this workspace: GPU samples from {@code gpu}, natives from config. */
    public static LayerPlanner planner(Workspace workspace, Config config, java.util.function.Supplier<dev.ragdesk.gpu.GpuSample> gpu) {
        return new LayerPlanner(config, gpu, dev.ragdesk.gpu.Natives.gpuCapable(nativeLibDir(workspace, config)));
    }
}
