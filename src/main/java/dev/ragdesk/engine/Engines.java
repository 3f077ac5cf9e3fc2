package dev.ragdesk.engine;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;

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

    /**
     * How to load {@code file} for {@code role} under the [llama] settings. {@code gpu_layers = "auto"}
     * means 0 with java-llama.cpp's stock CPU-only natives, and every layer with a configured
     * CUDA build.
     */
    public static ModelRequest request(String role, Path file, Config config) {
        var llama = config.llama();
        int gpuLayers = llama.gpuLayers().isAuto() ? (llama.nativeLibDir().isEmpty() ? 0 : 999) : llama.gpuLayers().count();
        return new ModelRequest(role, ModelRequest.displayNameOf(file), file, llama.ctxSize(), gpuLayers,
                llama.effectiveThreads(), llama.flashAttn());
    }
}
