package dev.ragdesk.bench;

import dev.ragdesk.cli.ExitCodes;
import dev.ragdesk.cli.Json;

import dev.ragdesk.rag.Retriever;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time --queries searches (top_k passages, highlighted excerpts) on the index that",
                "`ragdesk bench index` built; prints p50 and p99 latency."})
final class BenchSearchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--queries", paramLabel = "N", defaultValue = "1000", description = "Timed queries (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var ctx = BenchCommand.context(spec);
        var indexDir = BenchIndexCommand.benchDir(ctx).resolve("index");
        int topK = ctx.config().retrieval().topK();
        try (var retriever = new Retriever(indexDir)) {
            var status = retriever.status();
            if (!status.exists()) {
                throw new dev.ragdesk.RagdeskException("no benchmark index in " + indexDir + "; run `ragdesk bench index` first");
            }
            var corpus = new BenchCorpus(11);
            for (int i = 0; i < 100; i++) retriever.search(corpus.query(), topK); // warm-up
            var micros = new long[queries];
            long hits = 0;
            for (int i = 0; i < queries; i++) {
                var q = corpus.query();
                long t0 = System.nanoTime();
                hits += retriever.search(q, topK).hits().size();
                micros[i] = (System.nanoTime() - t0) / 1000;
            }
            Arrays.sort(micros);
            double p50 = micros[(int) Math.ceil(queries * 0.50) - 1] / 1000.0;
            double p99 = micros[(int) Math.ceil(queries * 0.99) - 1] / 1000.0;
            var report = new LinkedHashMap<String, Object>();
            report.put("chunks", status.chunks());
            report.put("queries", queries);
            report.put("top_k", topK);
            report.put("mean_hits", Math.round(hits * 10.0 / queries) / 10.0);
            report.put("p50_ms", p50);
            report.put("p99_ms", p99);
            report.put("max_ms", micros[queries - 1] / 1000.0);
            var out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.pretty(report));
            } else {
                out.printf(Locale.ROOT, "bench search: %d queries, top %d, over %d chunks%n", queries, topK, status.chunks());
                out.printf(Locale.ROOT, "  p50 %.2f ms, p99 %.2f ms, max %.2f ms (search + highlighted excerpts)%n", p50, p99, micros[queries - 1] / 1000.0);
            }
            out.flush();
        }
        return ExitCodes.OK;
    }
}
