package dev.ragdesk.bench;

import dev.ragdesk.io.FileTrees;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.Json;
import dev.ragdesk.rag.Chunker;
import dev.ragdesk.rag.DocumentIndex;
import dev.ragdesk.rag.Extractors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

@Command(name = "startup", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time ragdesk's start as a user runs it (bin/ragdesk, with its class-data archive, when the jar",
                "sits in a clone) for --version, config --path and a search of a 20k-chunk index, each in its own JVM,",
                "beside a bare `java -version` of the same Java, taking turns; prints medians and ratios, the same",
                "commands without the archive (RAGDESK_CDS=off), and 100 queries through one `search --stdin`."})
final class BenchStartupCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @picocli.CommandLine.ParentCommand BenchCommand bench;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "10", description = "Timed runs of each (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    private record Variant(String name, List<String> command, Map<String, String> env, String stdin) {}

    private static final int STDIN_QUERIES = 100;

    @Override
    public Integer call() throws Exception {
        var ctx = bench.context();
        var err = spec.commandLine().getErr();
        var java = ProcessHandle.current().info().command().orElse("java");
        var jar = Path.of(BenchStartupCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        var script = jar.getParent() == null || jar.getParent().getParent() == null ? null
                : jar.getParent().getParent().resolve("bin").resolve("ragdesk");
        boolean viaScript = script != null && Files.isExecutable(script) && Files.isRegularFile(jar);
        var launcher = viaScript ? List.of(script.toString()) : List.of(java, "-XX:+UseSerialGC", "-jar", jar.toString());

        var home = ctx.workspace().tmp().resolve("bench-startup");
        FileTrees.delete(home);
        if (!json) err.println("indexing 20,000 chunks into " + home + " ...");
        var corpus = new BenchCorpus(13);
        corpus.write(home.resolve("corpus"), 2000, 10, 1200);
        try (var index = DocumentIndex.open(home.resolve("index"), new Extractors(Long.MAX_VALUE), new Chunker(1200, 150))) {
            index.index(List.of(home.resolve("corpus")), p -> {}, () -> false);
        }
        var query = corpus.query();
        var queries = new StringBuilder();
        for (int i = 0; i < STDIN_QUERIES; i++) queries.append(corpus.query()).append('\n');

        var variants = new ArrayList<Variant>();
        variants.add(new Variant("java -version", List.of(java, "-version"), Map.of(), ""));
        for (var cds : viaScript ? List.of("on", "off") : List.of("on")) {
            var env = Map.of("RAGDESK_CDS", cds);
            var suffix = cds.equals("on") ? "" : " (no archive)";
            variants.add(new Variant("--version" + suffix, with(launcher, "--version"), env, ""));
            variants.add(new Variant("config --path" + suffix, with(launcher, "--home", home.toString(), "config", "--path"), env, ""));
            variants.add(new Variant("search, 20k chunks" + suffix, with(launcher, "--home", home.toString(), "search", query), env, ""));
        }
        variants.add(new Variant("search --stdin, " + STDIN_QUERIES + " queries", with(launcher, "--home", home.toString(), "search", "--stdin"),
                Map.of(), queries.toString()));
        if (!json) err.println("warming up (the first start records the class-data archive in the background) ...");
        for (var v : variants) time(v);
        waitForArchive(jar, viaScript);
        for (var v : variants) time(v);

        var millis = new LinkedHashMap<String, long[]>();
        for (var v : variants) millis.put(v.name(), new long[runs]);
        for (int r = 0; r < runs; r++) {
            for (var v : variants) millis.get(v.name())[r] = time(v);
        }
        var report = new LinkedHashMap<String, Object>();
        report.put("launcher", viaScript ? script.toString() : String.join(" ", launcher));
        report.put("runs", runs);
        double base = median(millis.get("java -version"));
        for (var e : millis.entrySet()) {
            var row = new LinkedHashMap<String, Object>();
            row.put("median_ms", median(e.getValue()));
            row.put("ratio_vs_java_version", Math.round(median(e.getValue()) / base * 100) / 100.0);
            report.put(e.getKey(), row);
        }
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(report));
        } else {
            out.printf(Locale.ROOT, "bench startup: %d runs each, taking turns; launcher %s%n", runs, report.get("launcher"));
            for (var e : millis.entrySet()) {
                double m = median(e.getValue());
                out.printf(Locale.ROOT, "  %-34s %7.1f ms  %5.2fx java -version%n", e.getKey(), m, m / base);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static List<String> with(List<String> launcher, String... args) {
        var command = new ArrayList<>(launcher);
        command.addAll(List.of(args));
        return command;
    }

    /** Wall-clock milliseconds from start to exit; fails the benchmark if the command does. */
    private static long time(Variant v) throws Exception {
        var builder = new ProcessBuilder(v.command()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().putAll(v.env());
        long t0 = System.nanoTime();
        var process = builder.start();
        try (var stdin = process.getOutputStream()) {
            stdin.write(v.stdin().getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new RagdeskException(String.join(" ", v.command()) + " did not finish within 60 s");
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (process.exitValue() != 0) {
            throw new RagdeskException(String.join(" ", v.command()) + " exited with " + process.exitValue());
        }
        return ms;
    }

    /** bin/ragdesk records the archive in the background on a first start: wait for it, so runs compare like with like. */
    private static void waitForArchive(Path jar, boolean viaScript) throws InterruptedException, IOException {
        if (!viaScript) return;
        var dir = jar.getParent().getParent().resolve(".data").resolve("tmp").resolve("cds");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(dir)) {
                try (var list = Files.list(dir)) {
                    var names = list.map(p -> p.getFileName().toString()).toList();
                    if (names.contains("main.jsa") && !names.contains("recording.jsa")) return;
                }
            }
            Thread.sleep(200); // polling a folder another process writes; nothing to wait on
        }
    }

    private static double median(long[] values) {
        var sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
