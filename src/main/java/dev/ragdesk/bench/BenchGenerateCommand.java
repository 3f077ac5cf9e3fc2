package dev.ragdesk.bench;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.Json;
import dev.ragdesk.app.VersionInfo;
import dev.ragdesk.engine.Engines;
import dev.ragdesk.engine.GenerateRequest;
import dev.ragdesk.engine.Launcher;
import dev.ragdesk.engine.ModelHost;
import dev.ragdesk.engine.ModelRequest;
import dev.ragdesk.engine.WorkerLauncher;
import dev.ragdesk.engine.server.Accelerator;
import dev.ragdesk.engine.server.LlamaServers;
import dev.ragdesk.engine.server.ServerLauncher;
import dev.ragdesk.gpu.CudaHost;
import dev.ragdesk.gpu.GpuMonitor;
import dev.ragdesk.models.ModelFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Generation speed of each way to run one model, side by side in one run: java-llama.cpp
 * in-process (a bare JVM), ragdesk's jvm worker, ragdesk's llama-server worker, and
 * llama-server alone with no ragdesk. Same model, prompt, threads and greedy sampling for all;
 * every figure is measured the same way, from the client's side.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Prompt and generation tokens/s, time to first token and peak RSS for: java-llama.cpp in-process,",
                "the jvm worker, the llama-server worker and llama-server alone, on the same model, prompt and threads.",
                "Prints numbers and ratios; never fails on a threshold."})
final class BenchGenerateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @picocli.CommandLine.ParentCommand BenchCommand bench;

    @Option(names = "--model", paramLabel = "GGUF", description = "The model (default: the chat role's file).")
    Path model;

    @Option(names = "--synthetic-mb", paramLabel = "N",
            description = "Instead, a random-weight llama of about N MB, written to .data/tmp/bench/, so compute dominates as it does for users.")
    Integer syntheticMb;

    @Option(names = "--synthetic", paramLabel = "PRESET",
            description = "Instead, a model with the real shape of llama-3.2-3b or sarvam-1 and random Q4_K_M-like weights (2.0 and 1.5 GB).")
    String synthetic;

    @Option(names = "--vocab", paramLabel = "GGUF", description = "Llama 3's tokenizer for --synthetic llama-3.2-3b (default: the one beside llama-server).")
    Path vocabulary;

    @Option(names = "--engine", paramLabel = "KIND", defaultValue = "all",
            description = "all, or llama-server: only the llama-server worker and llama-server alone (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--llama-server", paramLabel = "PATH", description = "The llama-server for the server variants (default: the one ragdesk finds).")
    Path llamaServer;

    @Option(names = "--baseline-server", paramLabel = "PATH",
            description = "Also run the llama-server worker on this binary and print the ratio, e.g. a CPU build against one with a GPU backend installed.")
    Path baselineServer;

    @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "180",
            description = "About how long each prompt is (default: ${DEFAULT-VALUE}); RAG prompts are about 1500.")
    int promptTokens;

    @Option(names = "--gpu-layers", paramLabel = "N", defaultValue = "0", description = "Layers to offload (default: ${DEFAULT-VALUE}).")
    int gpuLayers;

    @Option(names = "--tokens", defaultValue = "128", paramLabel = "N", description = "Tokens to generate (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--runs", defaultValue = "5", paramLabel = "N",
            description = "Measured rounds, after three warm-up rounds; in each round every variant runs once (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: [llama].threads).")
    Integer threads;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    /** Runs before the measured ones, in every variant alike: JIT, caches and the prompt cache settle. */
    @Option(names = "--warm-ups", defaultValue = "3", paramLabel = "N", description = "Unmeasured rounds first (default: ${DEFAULT-VALUE}).")
    int warmUps;

    /**
     * Run r's prompt: the same text behind a different first words, so no engine can answer from
     * a cache of the last run's prompt, and every variant sees the same prompts.
     */
    static String prompt(int run, int tokens) {
        return "Story " + (run + 100) + ". " + SENTENCE.repeat(Math.max(1, tokens / 30));
    }

    /** About 30 tokens in Llama 3's and the fixtures' tokenizers. */
    static final String SENTENCE = "Once upon a time there was a little dog and a cat. They played under the big tree in the sun "
            + "and the dog was happy. ";

    @Override
    public Integer call() throws Exception {
        var ctx = bench.context();
        var err = spec.commandLine().getErr();
        var config = ctx.config();
        int t = threads != null ? threads : config.llama().effectiveThreads();
        if (!engine.equals("all") && !engine.equals("llama-server")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--engine must be all or llama-server, not \"" + engine + "\"");
        }
        var notes = new ArrayList<String>();
        var server = llamaServer != null ? Optional.of(LlamaServers.check(llamaServer.toAbsolutePath(), "--llama-server"))
                : LlamaServers.find(ctx.workspace(), config.engine().llamaServer(), ctx.env(), notes);
        if (engine.equals("llama-server") && server.isEmpty()) {
            throw new RagdeskException("--engine llama-server but no llama-server found; run `ragdesk engine install`");
        }
        var benchFolder = ctx.workspace().tmp().resolve("bench");
        Path file;
        if (synthetic != null) {
            var vocab = synthetic.equals("llama-3.2-3b")
                    ? SyntheticModels.llamaVocabulary(Optional.ofNullable(vocabulary), server.map(LlamaServers.Found::path).orElse(null)) : null;
            try {
                file = SyntheticModels.preset(benchFolder, synthetic, vocab, json ? null : err);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--synthetic: " + e.getMessage());
            }
        } else if (syntheticMb != null) {
            file = SyntheticModels.ofSize(benchFolder, syntheticMb, "", json ? null : err);
        } else {
            file = model != null ? model.toAbsolutePath() : new ModelFiles(ctx.workspace(), config).require("chat");
        }
        // the prompt, the answer and a margin
        int context = Math.max(2048, promptTokens + tokens + 256);
        var request = new ModelRequest("bench", ModelRequest.displayNameOf(file), file, context, gpuLayers, t, false);
        var llamaVersion = VersionInfo.properties().getProperty("llama");

        var report = new LinkedHashMap<String, Object>();
        var variants = new LinkedHashMap<String, Map<String, Object>>();
        report.put("model", file.toString());
        report.put("model_mb", Files.size(file) >> 20);
        report.put("threads", t);
        report.put("tokens", tokens);
        report.put("runs", runs);
        report.put("gpu_layers", gpuLayers);
        report.putAll(SyntheticModels.planned(file, context, gpuLayers));
        // All variants stay up and take turns, one run each per round, so that a machine's drift
        // (another tenant, the clock) lands on every variant alike rather than on whichever ran last.
        var contenders = new LinkedHashMap<String, Variant>();
        // one reader of the GPU for the whole run: NVML's start-up is not paid once per measurement
        try (var gpu = GpuMonitor.standard(ctx.env())) {
            if (engine.equals("all")) {
                progress(err, "starting java-llama.cpp in-process and the jvm worker");
                contenders.put("in_process", new InProcess(Engines.launcher(ctx.workspace(), config, llamaVersion), request, t, tokens, promptTokens));
                contenders.put("jvm_worker", new ViaHost(Engines.launcher(ctx.workspace(), config, llamaVersion), request, tokens, promptTokens, gpu));
            }
            if (server.isPresent()) {
                progress(err, "starting the llama-server worker and llama-server alone");
                var accelerator = Accelerator.decide(server.get().path(), CudaHost.here(ctx.env()), ctx.env());
                report.put("accelerator", accelerator.line());
                contenders.put("server_worker", new ViaHost(new ServerLauncher(server.get(), accelerator, ctx.workspace().run()), request, tokens, promptTokens, gpu));
                contenders.put("server_alone", new Alone(server.get().path(), accelerator.environment(), ctx.workspace().run(), request, tokens, promptTokens, gpu));
                report.put("llama_server", server.get().path() + " (" + server.get().version() + ")");
                if (baselineServer != null) {
                    var baseline = LlamaServers.check(baselineServer.toAbsolutePath(), "--baseline-server");
                    var baselineAccelerator = Accelerator.decide(baseline.path(), CudaHost.here(ctx.env()), ctx.env());
                    contenders.put("baseline_worker", new ViaHost(new ServerLauncher(baseline, baselineAccelerator, ctx.workspace().run()), request, tokens, promptTokens, gpu));
                    report.put("baseline_server", baseline.path() + " (" + baselineAccelerator.line() + ")");
                }
            } else {
                report.put("llama_server", "none found" + (notes.isEmpty() ? "" : ": " + notes) + "; run `ragdesk engine install`");
            }
            var results = new LinkedHashMap<String, List<Run>>();
            contenders.keySet().forEach(name -> results.put(name, new ArrayList<>()));
            for (int r = -warmUps; r < runs; r++) {
                progress(err, r < 0 ? "warm-up round " + (r + warmUps + 1) : "round " + (r + 1) + " of " + runs);
                for (var e : contenders.entrySet()) {
                    var run = e.getValue().run(r);
                    if (r >= 0) results.get(e.getKey()).add(run);
                }
            }
            results.forEach((name, list) -> variants.put(name, summarise(list)));
        } finally {
            for (var c : contenders.values()) c.close();
        }
        report.put("variants", variants);
        var ratios = new LinkedHashMap<String, Object>();
        ratios.put("jvm_worker_vs_in_process_generation", ratio(variants, "jvm_worker", "in_process", "generation_tokens_per_s"));
        ratios.put("server_worker_vs_server_alone_generation", ratio(variants, "server_worker", "server_alone", "generation_tokens_per_s"));
        ratios.put("server_worker_vs_jvm_worker_generation", ratio(variants, "server_worker", "jvm_worker", "generation_tokens_per_s"));
        ratios.put("server_worker_vs_jvm_worker_prompt", ratio(variants, "server_worker", "jvm_worker", "prompt_tokens_per_s"));
        if (baselineServer != null) {
            ratios.put("server_worker_vs_baseline_worker_generation", ratio(variants, "server_worker", "baseline_worker", "generation_tokens_per_s"));
            ratios.put("server_worker_vs_baseline_worker_prompt", ratio(variants, "server_worker", "baseline_worker", "prompt_tokens_per_s"));
        }
        report.put("ratios", ratios);

        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(report));
        } else {
            out.printf(Locale.ROOT, "bench generate: %s (%d MB), %d threads, %d tokens, median of %d runs%n",
                    file.getFileName(), Files.size(file) >> 20, t, tokens, runs);
            out.printf(Locale.ROOT, "  planned by ragdesk: %s; prompt %s tokens%n", SyntheticModels.planned(file, context, gpuLayers),
                    variants.values().stream().findFirst().map(v -> v.get("prompt_tokens")).orElse("?"));
            out.printf(Locale.ROOT, "  %-16s %11s %9s %9s %10s %14s %9s%n", "variant", "prompt t/s", "gen t/s", "ttft ms", "peak RSS",
                    "anon + file", "GPU mem");
            variants.forEach((name, v) -> out.printf(Locale.ROOT, "  %-16s %11.0f %9.0f %9.1f %7d MB %6d + %5d MB %6d MB%n", name,
                    (double) v.get("prompt_tokens_per_s"), (double) v.get("generation_tokens_per_s"), (double) v.get("ttft_ms"),
                    (long) v.get("peak_rss_mb"), (long) v.get("rss_anonymous_mb"), (long) v.get("rss_file_mb"), (long) v.get("peak_gpu_mb")));
            ratios.forEach((name, value) -> out.printf(Locale.ROOT, "  %-44s %s%n", name, value));
        }
        out.flush();
        return ExitCodes.OK;
    }

    private void progress(PrintWriter err, String what) {
        if (!json) {
            err.println(what + " ...");
            err.flush();
        }
    }

    /** One measured run, seen from the client: first token, whole answer, tokens, and the model process's peak RSS. */
    record Run(double ttftMs, double totalMs, int tokens, int promptTokens, long peakRssKb, long gpuBytes, long anonKb, long fileKb) {
        Run(double ttftMs, double totalMs, int tokens, int promptTokens, long peakRssKb) {
            this(ttftMs, totalMs, tokens, promptTokens, peakRssKb, 0, 0, 0);
        }

        /** A run of a model process: its memory as the kernel counts it, anonymous (allocated) and file-backed (the mapped model). */
        static Run of(double ttftMs, double totalMs, int tokens, int promptTokens, long pid, GpuMonitor gpu) {
            return new Run(ttftMs, totalMs, tokens, promptTokens, status(pid, "VmHWM:"), gpu.sample().gpuBytesOf(Set.of(pid)),
                    status(pid, "RssAnon:"), status(pid, "RssFile:"));
        }
    }

    /** One way of running the model, kept up between its runs. */
    interface Variant extends AutoCloseable {
        Run run(int round) throws Exception;

        @Override
        void close();
    }

    /** java-llama.cpp in a bare JVM of its own, told to run once per line on its stdin. */
    static final class InProcess implements Variant {
        private final Process process;
        private final Writer commands;
        private final BufferedReader results;

        InProcess(WorkerLauncher launcher, ModelRequest request, int threads, int tokens, int promptTokens) throws Exception {
            var cmd = launcher.command(BareGenerate.class, List.of(request.path().toString(), String.valueOf(request.ctxSize()),
                    String.valueOf(threads), String.valueOf(tokens), String.valueOf(promptTokens)));
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            results = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public Run run(int round) throws Exception {
            commands.write(round + "\n");
            commands.flush();
            var line = results.readLine();
            if (line == null || !line.startsWith("run ")) throw new RagdeskException("the in-process baseline stopped: " + line);
            var f = new LinkedHashMap<String, String>();
            for (var kv : line.substring(4).split(" ")) f.put(kv.split("=")[0], kv.split("=")[1]);
            return new Run(Double.parseDouble(f.get("ttft_ms")), Double.parseDouble(f.get("total_ms")),
                    Integer.parseInt(f.get("tokens")), Integer.parseInt(f.get("prompt_tokens")), Long.parseLong(f.get("hwm_kb")));
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** A ragdesk engine behind ModelHost, timed from the host's side as the session sees it. */
    static final class ViaHost implements Variant {
        private final ModelHost host;
        private final long pid;
        private final int promptTokens;
        private final int promptSize;
        private final int tokens;

        private final GpuMonitor gpu;

        ViaHost(Launcher launcher, ModelRequest request, int tokens, int promptSize, GpuMonitor gpu) throws Exception {
            this.gpu = gpu;
            this.host = new ModelHost(launcher, e -> {}, ModelHost.Options.defaults().withPrestart(false));
            this.pid = host.activate(request).pid();
            this.promptSize = promptSize;
            this.promptTokens = host.countTokens(prompt(0, promptSize));
            this.tokens = tokens;
        }

        @Override
        public Run run(int round) throws Exception {
            long t0 = System.nanoTime();
            var first = new long[] {-1};
            var result = host.generate(new GenerateRequest(prompt(round, promptSize), tokens, 0.0, 1, List.of()), s -> {
                if (first[0] < 0) first[0] = System.nanoTime();
            }).await();
            long end = System.nanoTime();
            return Run.of((first[0] - t0) / 1e6, (end - t0) / 1e6, result.tokens(), promptTokens, pid, gpu);
        }

        @Override
        public void close() {
            host.close();
        }
    }

    /** llama-server with the same flags, no ragdesk in the way: a plain streamed /completion from this process. */
    static final class Alone implements Variant {
        private final BareServer server;
        private final int promptTokens;
        private final int promptSize;
        private final int tokens;

        private final GpuMonitor gpu;

        Alone(Path binary, Map<String, String> environment, Path runDir, ModelRequest request, int tokens, int promptSize, GpuMonitor gpu)
                throws Exception {
            this.gpu = gpu;
            this.server = BareServer.start(binary, environment, runDir, request);
            this.promptSize = promptSize;
            this.promptTokens = server.countTokens(prompt(0, promptSize));
            this.tokens = tokens;
        }

        @Override
        public Run run(int round) throws Exception {
            var answer = server.complete(prompt(round, promptSize), tokens);
            return Run.of(answer.ttftMs(), answer.totalMs(), answer.tokens(), promptTokens, server.pid(), gpu);
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** Medians over the runs, each figure computed the same way for every variant. */
    private static Map<String, Object> summarise(List<Run> runs) {
        var ttft = runs.stream().mapToDouble(Run::ttftMs).sorted().toArray();
        var gen = runs.stream().mapToDouble(r -> r.tokens() > 1 ? (r.tokens() - 1) * 1000.0 / Math.max(0.001, r.totalMs() - r.ttftMs()) : 0)
                .sorted().toArray();
        var prompt = runs.stream().mapToDouble(r -> r.promptTokens() * 1000.0 / Math.max(0.001, r.ttftMs())).sorted().toArray();
        var m = new LinkedHashMap<String, Object>();
        m.put("prompt_tokens", runs.get(0).promptTokens());
        m.put("generated_tokens", runs.get(0).tokens());
        m.put("prompt_tokens_per_s", round(median(prompt)));
        m.put("generation_tokens_per_s", round(median(gen)));
        m.put("ttft_ms", round(median(ttft)));
        m.put("peak_rss_mb", runs.stream().mapToLong(Run::peakRssKb).max().orElse(0) >> 10);
        m.put("peak_gpu_mb", runs.stream().mapToLong(Run::gpuBytes).max().orElse(0) >> 20);
        var last = runs.get(runs.size() - 1);
        m.put("rss_anonymous_mb", last.anonKb() >> 10);
        m.put("rss_file_mb", last.fileKb() >> 10);
        return m;
    }

    private static Object ratio(Map<String, Map<String, Object>> variants, String a, String b, String field) {
        if (!variants.containsKey(a) || !variants.containsKey(b)) return "n/a";
        double x = (double) variants.get(a).get(field);
        double y = (double) variants.get(b).get(field);
        return y <= 0 ? "n/a" : round(x / y);
    }

    private static double median(double[] sorted) {
        return sorted.length == 0 ? 0 : sorted[(sorted.length - 1) / 2];
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** The most memory a process has held (VmHWM), in KiB; 0 where /proc is not available. */
    static long peakRssKb(long pid) {
        return status(pid, "VmHWM:");
    }

    /** A figure in KiB from /proc/PID/status ("VmHWM:", "RssAnon:", "RssFile:"); 0 where /proc is not available. */
    static long status(long pid, String field) {
        try (var lines = Files.lines(Path.of("/proc", String.valueOf(pid), "status"))) {
            return lines.filter(l -> l.startsWith(field)).mapToLong(l -> Long.parseLong(l.replaceAll("\\D+", ""))).findFirst().orElse(0);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
