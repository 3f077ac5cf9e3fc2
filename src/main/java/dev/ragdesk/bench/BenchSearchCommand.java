package dev.ragdesk.bench;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.Json;
import dev.ragdesk.app.AppContext;
import dev.ragdesk.config.Config;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.rag.Retriever;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Time --queries searches (top_k passages, highlighted excerpts) on the index that",
                "`ragdesk bench index` built; prints p50 and p99 latency for --mode beside BM25 alone in",
                "the same run, and for hybrid and vector the query embedding on its own.",
                "--backend solr: the same searches on the collection `bench index --backend solr` filled, beside the",
                "local index in the same run (both in --mode)."})
final class BenchSearchCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @picocli.CommandLine.ParentCommand BenchCommand bench;

    @Option(names = "--queries", paramLabel = "N", defaultValue = "1000", description = "Timed queries (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--mode", paramLabel = "MODE", description = "hybrid, vector or bm25 (default: [retrieval].mode).")
    String mode;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "lucene",
            description = "lucene, or solr to time the [solr] cluster against the local index (default: ${DEFAULT-VALUE}).")
    String backend;

    /** p50, p99 and max of one timed series, in milliseconds. */
    private record Latency(double p50, double p99, double max) {
        static Latency of(long[] micros) {
            Arrays.sort(micros);
            int n = micros.length;
            return new Latency(micros[(int) Math.ceil(n * 0.50) - 1] / 1000.0, micros[(int) Math.ceil(n * 0.99) - 1] / 1000.0,
                    micros[n - 1] / 1000.0);
        }
    }

    @FunctionalInterface
    private interface Timed {
        int run(String query) throws RagdeskException;
    }

    @Override
    public Integer call() throws Exception {
        if (!Config.Retrieval.BACKENDS.contains(backend)) throw new RagdeskException("--backend must be lucene or solr, not \"" + backend + "\"");
        var ctx = bench.context();
        var indexDir = BenchIndexCommand.benchDir(ctx).resolve("index");
        int topK = ctx.config().retrieval().topK();
        var requested = mode == null ? ctx.config().retrieval().mode() : mode;
        try (var embeddings = Embeddings.of(ctx.workspace(), ctx.config());
             var retriever = new Retriever(indexDir, ctx.config().retrieval(), embeddings)) {
            var status = retriever.status();
            if (!status.exists()) throw new RagdeskException("no benchmark index in " + indexDir + "; run `ragdesk bench index` first");
            var ran = retriever.search("warm", topK, requested).plan();
            var report = new LinkedHashMap<String, Object>();
            report.put("chunks", status.chunks());
            report.put("vector_chunks", status.vectorChunks());
            report.put("queries", queries);
            report.put("top_k", topK);
            report.put("mode", ran.mode());
            if (!ran.note().isEmpty()) report.put("note", ran.note());
            var corpus = new BenchCorpus(11);
            if (backend.equals(Config.Retrieval.SOLR)) {
                solr(ctx, embeddings, retriever, ran.mode(), topK, corpus, report);
                return ExitCodes.OK;
            }
            // interleaved, so that both series see the same machine: BM25 alone is the baseline
            var measured = time(corpus, q -> retriever.search(q, topK, ran.mode()).hits().size(),
                    q -> retriever.search(q, topK, Retriever.BM25).hits().size());
            put(report, ran.mode(), measured[0]);
            put(report, "bm25_baseline", measured[1]);
            report.put("ratio_vs_bm25_p50", Math.round(measured[0].p50() / measured[1].p50() * 100) / 100.0);
            if (!ran.mode().equals(Retriever.BM25)) {
                var embedder = embeddings.get();
                var alone = time(corpus, q -> embedder.query(q).length, null)[0];
                put(report, "query_embedding", alone);
            }
            print(report, ran.mode());
        }
        return ExitCodes.OK;
    }

    /** The Solr collection beside the local index, the same queries taking turns, in the same mode. */
    private void solr(AppContext ctx, Embeddings embeddings, Retriever local, String mode, int topK, BenchCorpus corpus,
                      Map<String, Object> report) throws Exception {
        var config = BenchIndexCommand.solrBench(ctx.config());
        try (var remote = Documents.retriever(ctx.workspace(), config, embeddings, ctx.env())) {
            var status = remote.status();
            if (!status.exists() || status.chunks() == 0) {
                throw new RagdeskException("no benchmark collection " + config.solr().describe() + "; run `ragdesk bench index --backend solr` first");
            }
            report.put("solr_collection", config.solr().describe());
            report.put("solr_chunks", status.chunks());
            var measured = time(corpus, q -> remote.search(q, topK, mode).hits().size(), q -> local.search(q, topK, mode).hits().size());
            put(report, "solr_" + mode, measured[0]);
            put(report, "local_" + mode, measured[1]);
            report.put("ratio_solr_vs_local_p50", Math.round(measured[0].p50() / measured[1].p50() * 100) / 100.0);
            report.put("unmeasured", UNMEASURED);
            var out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.pretty(report));
            } else {
                out.printf(Locale.ROOT, "bench search: %d queries, top %d, %s over %d chunks; the local index has %d%n", queries, topK,
                        config.solr().describe(), status.chunks(), (int) report.get("chunks"));
                line(out, report, "solr_" + mode, "solr " + mode + " (search + excerpts, over the network)");
                line(out, report, "local_" + mode, "local index " + mode + " (baseline, same run)");
                out.printf(Locale.ROOT, "  ratio solr / local at p50: %.2f%n", (double) report.get("ratio_solr_vs_local_p50"));
                out.println("  " + UNMEASURED);
            }
            out.flush();
        }
    }

    /** 100 warm-up rounds, then {@code queries} timed rounds of each series, taking turns. */
    private Latency[] time(BenchCorpus corpus, Timed first, Timed second) throws RagdeskException {
        for (int i = 0; i < 100; i++) {
            var q = corpus.query();
            first.run(q);
            if (second != null) second.run(q);
        }
        var a = new long[queries];
        var b = new long[queries];
        for (int i = 0; i < queries; i++) {
            var q = corpus.query();
            long t0 = System.nanoTime();
            first.run(q);
            a[i] = (System.nanoTime() - t0) / 1000;
            if (second != null) {
                t0 = System.nanoTime();
                second.run(q);
                b[i] = (System.nanoTime() - t0) / 1000;
            }
        }
        return second == null ? new Latency[] {Latency.of(a)} : new Latency[] {Latency.of(a), Latency.of(b)};
    }

    private static void put(Map<String, Object> report, String name, Latency l) {
        report.put(name + "_p50_ms", Math.round(l.p50() * 100) / 100.0);
        report.put(name + "_p99_ms", Math.round(l.p99() * 100) / 100.0);
        report.put(name + "_max_ms", Math.round(l.max() * 100) / 100.0);
    }

    /** What this bench does not measure, said wherever its figures go. */
    static final String UNMEASURED = "speed only: retrieval quality is not measured here, and cross-lingual quality"
            + " (a question in one language finding a passage in another) is unmeasured anywhere, since no multilingual"
            + " embedding model can be fetched where ragdesk is tested";

    private void print(Map<String, Object> report, String mode) throws IOException {
        var out = spec.commandLine().getOut();
        report.put("unmeasured", UNMEASURED);
        if (json) {
            out.println(Json.pretty(report));
        } else {
            out.printf(Locale.ROOT, "bench search: %d queries, top %d, over %d chunks (%d with vectors)%n", queries,
                    (int) report.get("top_k"), (int) report.get("chunks"), (int) report.get("vector_chunks"));
            if (report.containsKey("note")) out.println("  note: " + report.get("note"));
            line(out, report, mode, mode + " (search + excerpts" + (mode.equals(Retriever.BM25) ? ")" : ", query embedding included)"));
            line(out, report, "bm25_baseline", "bm25 alone (baseline, same run)");
            if (report.containsKey("query_embedding_p50_ms")) line(out, report, "query_embedding", "query embedding alone");
            out.printf(Locale.ROOT, "  ratio %s / bm25 at p50: %.2f%n", mode, (double) report.get("ratio_vs_bm25_p50"));
            out.println("  " + UNMEASURED);
        }
        out.flush();
    }

    private static void line(PrintWriter out, Map<String, Object> r, String key, String label) {
        out.printf(Locale.ROOT, "  %-58s p50 %7.2f ms, p99 %7.2f ms, max %7.2f ms%n", label, (double) r.get(key + "_p50_ms"),
                (double) r.get(key + "_p99_ms"), (double) r.get(key + "_max_ms"));
    }
}
