package dev.ragdesk.bench;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.app.AppContext;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.Json;
import dev.ragdesk.app.VersionInfo;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.ConfigLoader;
import dev.ragdesk.engine.Engines;
import dev.ragdesk.engine.GenerateRequest;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.engine.ModelRequest;
import dev.ragdesk.engine.WorkerCensus;
import dev.ragdesk.engine.WorkerLauncher;
import dev.ragdesk.engine.server.ServerLauncher;
import dev.ragdesk.gpu.GpuMonitor;
import dev.ragdesk.gpu.GpuSample;
import dev.ragdesk.models.ModelFiles;
import dev.ragdesk.models.SyntheticGguf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

@Command(name = "swap", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Alternate the rag and chat models N times, asking one short question after each swap.",
                "Reports phase times (p50/p95), the most worker processes alive at once (from the OS), the",
                "host's RSS, and a bare baseline: a fresh JVM loading the same model and generating one token.",
                "Runs with and without the pre-started worker to show what it saves."})
final class BenchSwapCommand implements Callable<Integer> {

    @ParentCommand BenchCommand bench;
    @Spec CommandSpec spec;

    @Option(names = "--cycles", paramLabel = "N", defaultValue = "20", description = "Swaps per run (default: ${DEFAULT-VALUE}).")
    int cycles;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--pause-ms", paramLabel = "MS", defaultValue = "0",
            description = "Idle time between swaps, as a person reading an answer would leave (default: ${DEFAULT-VALUE}).")
    long pauseMs;

    @Option(names = "--question", defaultValue = "Hello", description = "What to ask after each swap (default: ${DEFAULT-VALUE}).")
    String question;

    @Option(names = "--engine", paramLabel = "KIND",
            description = "jvm or llama-server (default: what [engine].kind picks). The baseline is the same engine alone:"
                    + " a fresh JVM with java-llama.cpp, or a fresh llama-server.")
    String engine;

    @Option(names = "--synthetic-mb", paramLabel = "N",
            description = {"Swap between two generated random-weight models of about N MB each instead of the configured",
                    "rag and chat models: stories260K loads in ~30 ms, where a swap's fixed costs loom large."})
    Integer syntheticMb;

    @Option(names = "--synthetic", paramLabel = "RAG,CHAT",
            description = {"Swap between models with the real shapes of two presets (sarvam-1, llama-3.2-3b), random Q4_K_M-like",
                    "weights: e.g. sarvam-1,llama-3.2-3b, the product's pair (1.5 and 2.0 GB)."})
    String synthetic;

    @Option(names = "--vocab", paramLabel = "GGUF", description = "Llama 3's tokenizer for llama-3.2-3b (default: the one beside llama-server).")
    Path vocabulary;

    @Override
    public Integer call() throws Exception {
        if (cycles < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--cycles must be at least 1");
        var ctx = forEngine(bench.context());
        var llamaVersion = VersionInfo.properties().getProperty("llama");
        var err = spec.commandLine().getErr();
        // one reader of the GPU for the whole run: NVML starts once, not at every look of the census
        try (var gpu = GpuMonitor.standard(ctx.env())) {
            var choice = Engines.choose(ctx.workspace(), ctx.config(), llamaVersion, ctx.env());
            var server = choice.launcher() instanceof ServerLauncher s ? s.path() : null;
            var rag = Engines.request("rag", model(ctx, "rag", 0, server, err), ctx.config());
            var chat = Engines.request("chat", model(ctx, "chat", 1, server, err), ctx.config());

            var launcher = Engines.launcher(ctx.workspace(), ctx.config(), llamaVersion);
            launcher.trainClassArchive();
            var planner = Engines.planner(choice, ctx.workspace(), ctx.config(), gpu::sample);
            var resolvedRag = rag.gpuLayers() == ModelRequest.AUTO_LAYERS ? rag.withGpuLayers(planner.layersFor(rag.path())) : rag;
            var resolvedChat = chat.gpuLayers() == ModelRequest.AUTO_LAYERS ? chat.withGpuLayers(planner.layersFor(chat.path())) : chat;
            // The baseline takes turns with the swaps, round by round (never while the host holds a
            // model: two models at once would not fit the cards this is for). Measured all first,
            // its median moved by up to 1.9x between runs on a shared 2-core machine, and the ratio
            // with it; in four rounds the ratio still moved between 1.05 and 1.4 from run to run.
            // A round is now one start of each model alone, then two swaps.
            int rounds = Math.max(1, cycles / SWAPS_PER_ROUND);
            // the baseline computes on what the engine computes on: the same GPU backend, loaded the same way
            var serverEnvironment = choice.launcher() instanceof ServerLauncher s ? s.accelerator().environment() : Map.<String, String>of();
            BaselineRun baselineRun = (request, runs) -> server != null
                    ? bareServer(server, serverEnvironment, ctx.workspace().run(), request, runs) : bare(launcher, request, runs);
            if (!json) err.println("baseline: " + (server != null ? "fresh llama-server" : "fresh JVM") + ", load, one token;"
                    + " taking turns with the swaps, " + rounds + " rounds ...");

            // untimed: this JVM compiles the code of both paths while it runs them, which favoured
            // whichever path ran more often in the first section
            baselineRun.times(resolvedRag, 1);
            baselineRun.times(resolvedChat, 1);
            swaps(ctx, llamaVersion, choice, gpu, rag, chat, true, WARM_UP_SWAPS, new SwapSamples());

            var report = new LinkedHashMap<String, Object>();
            report.put("engine", choice.kind() + ": " + choice.why());
            report.put("cycles", cycles);
            report.put("pause_ms", pauseMs);
            report.put("worker_class_archive", launcher.hasClassArchive());
            report.put("models", Map.of("rag", rag.path().toString(), "chat", chat.path().toString()));
            report.put("planned", Map.of("rag", SyntheticModels.planned(rag.path(), rag.ctxSize(), resolvedRag.gpuLayers()),
                    "chat", SyntheticModels.planned(chat.path(), chat.ctxSize(), resolvedChat.gpuLayers())));
            for (boolean prestart : new boolean[] {true, false}) {
                if (!json) err.println((prestart ? "with" : "without") + " a pre-started worker: " + cycles + " swaps ...");
                var samples = new SwapSamples();
                var ragBaseline = new ArrayList<Long>();
                var chatBaseline = new ArrayList<Long>();
                for (int round = 0; round < rounds; round++) {
                    ragBaseline.addAll(baselineRun.times(resolvedRag, BASELINE_RUNS_PER_ROUND));
                    chatBaseline.addAll(baselineRun.times(resolvedChat, BASELINE_RUNS_PER_ROUND));
                    swaps(ctx, llamaVersion, choice, gpu, rag, chat, prestart, cycles / rounds + (round < cycles % rounds ? 1 : 0), samples);
                }
                var run = samples.report();
                var ragStats = new Stats(ragBaseline);
                var chatStats = new Stats(chatBaseline);
                run.put("baseline_first_token_ms", Map.of("rag", ragStats.summary(), "chat", chatStats.summary()));
                run.put("ratio_swap_to_first_token_vs_baseline", round(new Stats(samples.total).p50() / ((ragStats.p50() + chatStats.p50()) / 2)));
                report.put(prestart ? "prestarted" : "cold", run);
            }
            var prestarted = (Map<?, ?>) report.get("prestarted");
            var cold = (Map<?, ?>) report.get("cold");
            report.put("max_workers_alive", Math.max((int) prestarted.get("max_workers_alive"), (int) cold.get("max_workers_alive")));
            report.put("ratio_swap_to_first_token_vs_baseline", prestarted.get("ratio_swap_to_first_token_vs_baseline"));

            var out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.pretty(report));
            } else {
                printTable(out, report);
            }
            out.flush();
            return ExitCodes.OK;
        }
    }

    private static final int SWAPS_PER_ROUND = 2;
    private static final int WARM_UP_SWAPS = 6;
    private static final int BASELINE_RUNS_PER_ROUND = 1;

    /** Fresh start → first token, {@code runs} times, for one model. */
    @FunctionalInterface
    private interface BaselineRun {
        List<Long> times(ModelRequest request, int runs) throws Exception;
    }

    /** Phase times of swaps, gathered over rounds. */
    private static final class SwapSamples {
        final List<Long> stop = new ArrayList<>();
        final List<Long> spawn = new ArrayList<>();
        final List<Long> load = new ArrayList<>();
        final List<Long> firstToken = new ArrayList<>();
        final List<Long> total = new ArrayList<>();
        int maxHolding;
        int maxProcesses;
        long rssBefore = -1;
        long rssAfter;
        /** Per role, the most its model process held: {RSS, GPU memory by pid}. */
        final Map<String, long[]> held = new LinkedHashMap<>();
        /** The card's used memory before the first model, at most during the swaps, and after the last one ended. */
        long deviceBefore = -1;
        long deviceMax;
        long deviceAfter;

        void held(String role, long pid, GpuSample gpu) {
            var m = held.computeIfAbsent(role, r -> new long[2]);
            m[0] = Math.max(m[0], WorkerCensus.rssBytes(pid));
            m[1] = Math.max(m[1], gpu.gpuBytesOf(Set.of(pid)));
        }

        LinkedHashMap<String, Object> report() {
            var run = new LinkedHashMap<String, Object>();
            run.put("stop_ms", new Stats(stop).summary());
            run.put("spawn_ms", new Stats(spawn).summary());
            run.put("load_ms", new Stats(load).summary());
            run.put("first_token_ms", new Stats(firstToken).summary());
            run.put("swap_to_first_token_ms", new Stats(total).summary());
            run.put("max_workers_alive", maxHolding);
            run.put("max_worker_processes", maxProcesses);
            run.put("parent_rss_before_mb", round(rssBefore / 1048576.0));
            run.put("parent_rss_after_mb", round(rssAfter / 1048576.0));
            var memory = new LinkedHashMap<String, Object>();
            held.forEach((role, m) -> memory.put(role, Map.of("rss_mb", m[0] >> 20, "gpu_mb", m[1] >> 20)));
            run.put("model_process_memory", memory);
            if (deviceBefore >= 0) {
                run.put("gpu_device_used_mb", Map.of("before", deviceBefore >> 20, "max_during_swaps", deviceMax >> 20, "after", deviceAfter >> 20));
            }
            return run;
        }
    }

    private void swaps(AppContext ctx, String llamaVersion, Engines.Choice chosen, GpuMonitor gpu, ModelRequest rag, ModelRequest chat,
                       boolean prestart, int swaps, SwapSamples samples) throws Exception {
        // a launcher of its own (the host closes it), with the engine's decisions kept: no second GPU probe
        var choice = Engines.again(chosen, ctx.workspace(), ctx.config(), llamaVersion);
        var maxHolding = new AtomicInteger();
        var maxProcesses = new AtomicInteger();
        var sampling = new AtomicBoolean(true);
        var deviceMax = new AtomicLong();
        var withGpu = gpu.sample().hasGpu();
        if (withGpu && samples.deviceBefore < 0) samples.deviceBefore = deviceUsed(gpu);
        var sampler = new Thread(() -> {
            while (sampling.get()) {
                var c = WorkerCensus.now();
                maxHolding.accumulateAndGet(c.holdingModel(), Math::max);
                maxProcesses.accumulateAndGet(c.workers(), Math::max);
                // two models resident at once would show on the card as well as in the census
                if (withGpu) deviceMax.accumulateAndGet(deviceUsed(gpu), Math::max);
                // every ~10 ms: one census costs 0.6-0.9 ms of CPU (the JDK lists every process to find
                // our descendants), so every 2 ms it took a third of a core from the swaps it watched,
                // which the baseline never shares; two models held at once would last a whole load
                LockSupport.parkNanos(10_000_000);
            }
        }, "census");
        long pid = ProcessHandle.current().pid();
        try (var host = Engines.host(choice, Engines.planner(choice, ctx.workspace(), ctx.config(), gpu::sample), e -> {},
                ModelHost.Options.defaults().withPrestart(prestart))) {
            host.activate(rag);
            host.generate(new GenerateRequest(question, 1, 0, 1, List.of()), s -> {}).await();
            System.gc();
            if (samples.rssBefore < 0) samples.rssBefore = WorkerCensus.rssBytes(pid);
            sampler.start();
            for (int i = 0; i < swaps; i++) {
                if (pauseMs > 0) Thread.sleep(pauseMs); // simulated reading time, part of the workload
                var next = i % 2 == 0 ? chat : rag;
                long t0 = System.nanoTime();
                var model = host.activate(next);
                long t1 = System.nanoTime();
                var first = new CountDownLatch(1);
                var generation = host.generate(new GenerateRequest(question, 4, 0, 1, List.of()), s -> first.countDown());
                first.await();
                long t2 = System.nanoTime();
                generation.await();
                samples.stop.add(model.stopMs());
                samples.spawn.add(model.spawnMs());
                samples.load.add(model.loadMs());
                samples.firstToken.add((t2 - t1) / 1_000_000);
                samples.total.add((t2 - t0) / 1_000_000);
                samples.held(next.role(), model.pid(), gpu.sample());
            }
            sampling.set(false);
            sampler.join();
            System.gc();
            samples.rssAfter = WorkerCensus.rssBytes(pid);
        }
        if (withGpu) {
            samples.deviceMax = Math.max(samples.deviceMax, deviceMax.get());
            samples.deviceAfter = deviceUsed(gpu);
        }
        samples.maxHolding = Math.max(samples.maxHolding, maxHolding.get());
        samples.maxProcesses = Math.max(samples.maxProcesses, maxProcesses.get());
    }

    /** The model for {@code role}: the configured one, or a generated one (two files, so that swapping between them is a swap). */
    private Path model(AppContext ctx, String role, int index, Path server, PrintWriter err) throws IOException, RagdeskException {
        var bench = ctx.workspace().tmp().resolve("bench");
        var progress = json ? null : err;
        if (synthetic != null) {
            var presets = synthetic.split(",");
            if (presets.length != 2 || presets[0].equals(presets[1])) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--synthetic needs two different presets, e.g. sarvam-1,llama-3.2-3b");
            }
            var preset = presets[index].strip();
            if (!SyntheticGguf.PRESETS.contains(preset)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--synthetic: no preset \"" + preset + "\"; choose from " + SyntheticGguf.PRESETS);
            }
            var vocab = preset.equals("llama-3.2-3b") ? SyntheticModels.llamaVocabulary(Optional.ofNullable(vocabulary), server) : null;
            return SyntheticModels.preset(bench, preset, vocab, progress);
        }
        if (syntheticMb != null) {
            if (syntheticMb < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--synthetic-mb must be at least 1");
            return SyntheticModels.ofSize(bench, syntheticMb, index == 0 ? "-a" : "-b", progress);
        }
        return new ModelFiles(ctx.workspace(), ctx.config()).require(role);
    }

    private static long deviceUsed(GpuMonitor gpu) {
        var sample = gpu.sample();
        return sample.hasGpu() ? sample.devices().get(0).usedBytes() : 0;
    }

    /** The context with [engine].kind replaced by --engine, when given. */
    private AppContext forEngine(AppContext ctx) {
        if (engine == null) return ctx;
        if (!engine.equals("jvm") && !engine.equals("llama-server")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--engine must be jvm or llama-server");
        }
        var c = ctx.config();
        var config = c.withEngine(new Config.Engine(engine, c.engine().llamaServer(), c.engine().idleMinutes()));
        return new AppContext(ctx.workspace(), new ConfigLoader.Loaded(config, ctx.loaded().file(),
                ctx.loaded().fromFile(), ctx.loaded().warnings()), ctx.env(), ctx.saidWhereUsed());
    }

    /** Time from starting a fresh llama-server to its first token, {@code runs} times. */
    private static List<Long> bareServer(Path binary, Map<String, String> environment, Path runDir, ModelRequest request, int runs)
            throws Exception {
        var times = new ArrayList<Long>();
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            try (var server = BareServer.start(binary, environment, runDir, request)) {
                server.complete("Hello", 1);
                times.add((System.nanoTime() - t0) / 1_000_000);
            }
        }
        return times;
    }

    /** Time from starting a fresh JVM to its first token, {@code runs} times. */
    private static List<Long> bare(WorkerLauncher launcher, ModelRequest request, int runs) throws Exception {
        var times = new ArrayList<Long>();
        var cmd = launcher.command(BareBaseline.class,
                List.of(request.path().toString(), String.valueOf(request.ctxSize()), String.valueOf(request.threads())));
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            var p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (var out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
                String line;
                while ((line = out.readLine()) != null && !line.startsWith("first-token")) { /* skip */ }
                if (line == null) throw new RagdeskException("the baseline JVM could not load " + request.path());
                times.add((System.nanoTime() - t0) / 1_000_000);
            } finally {
                p.destroyForcibly().waitFor();
            }
        }
        return times;
    }

    private void printTable(PrintWriter out, Map<String, Object> report) {
        out.printf("bench swap: %d cycles, %d ms pause, rag=%s chat=%s%n", cycles, pauseMs,
                ((Map<?, ?>) report.get("models")).get("rag"), ((Map<?, ?>) report.get("models")).get("chat"));
        out.printf("engine: %s%n", report.get("engine"));
        for (var key : List.of("prestarted", "cold")) {
            var run = (Map<?, ?>) report.get(key);
            out.printf("%n%s worker%n", key.equals("prestarted") ? "pre-started" : "cold-started");
            out.printf("  baseline, taking turns (the engine alone, fresh start -> first token): %s%n", run.get("baseline_first_token_ms"));
            out.printf("  %-24s %8s %8s%n", "phase (ms)", "p50", "p95");
            for (var phase : List.of("stop_ms", "spawn_ms", "load_ms", "first_token_ms", "swap_to_first_token_ms")) {
                var s = (Map<?, ?>) run.get(phase);
                out.printf("  %-24s %8s %8s%n", phase.replace("_ms", ""), s.get("p50"), s.get("p95"));
            }
            out.printf("  max workers holding a model: %s, max worker processes: %s%n",
                    run.get("max_workers_alive"), run.get("max_worker_processes"));
            out.printf("  host RSS: %s MB -> %s MB%n", run.get("parent_rss_before_mb"), run.get("parent_rss_after_mb"));
            out.printf("  model processes held (measured): %s; planned: %s%n", run.get("model_process_memory"), report.get("planned"));
            if (run.containsKey("gpu_device_used_mb")) out.printf("  GPU used: %s%n", run.get("gpu_device_used_mb"));
            out.printf("  swap->first token / baseline (p50): %s%n", run.get("ratio_swap_to_first_token_vs_baseline"));
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Sorted samples with nearest-rank percentiles. */
    record Stats(long[] sorted) {
        Stats(List<Long> values) {
            this(values.stream().mapToLong(Long::longValue).sorted().toArray());
        }

        double percentile(double p) {
            if (sorted.length == 0) return Double.NaN;
            int rank = (int) Math.ceil(p / 100.0 * sorted.length);
            return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
        }

        double p50() { return percentile(50); }

        Map<String, Object> summary() {
            return Map.of("p50", percentile(50), "p95", percentile(95), "n", sorted.length);
        }

        @Override
        public String toString() { return Arrays.toString(sorted); }
    }
}
