package dev.ragdesk.cli;

import dev.ragdesk.rag.Documents;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "search", mixinStandardHelpOptions = true,
        description = {"Rank indexed passages for a query: by words (BM25), by meaning (vectors from the embed model),",
                "or both fused by reciprocal rank (hybrid, the default once an embed model is downloaded)."})
final class SearchCommand implements Callable<Integer> {

    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "QUERY", description = "What to look for; several words are joined.")
    List<String> words;

    @Option(names = "--top", paramLabel = "N", description = "How many passages (default: [retrieval].top_k).")
    Integer top;

    @Option(names = "--mode", paramLabel = "MODE", description = "hybrid, bm25, vector or auto (default: [retrieval].mode).")
    String mode;

    @Option(names = "--json", description = {"Print [{rank, score, path, location, heading, excerpt, found_by, mode}];",
            "found_by maps each ranking that held the passage (bm25, vector) to its rank there."})
    boolean json;

    @Override
    public Integer call() throws Exception {
        var ctx = root.context(false);
        var out = spec.commandLine().getOut();
        int n = top == null ? ctx.config().retrieval().topK() : top;
        if (n < 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1");
        var requested = mode == null ? ctx.config().retrieval().mode() : mode.trim();
        if (!dev.ragdesk.config.Config.Retrieval.MODES.contains(requested)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--mode must be hybrid, bm25, vector or auto, not \""
                    + requested + "\"");
        }
        try (var embeddings = ctx.openEmbeddings();
             var retriever = Documents.retriever(ctx.workspace(), ctx.config(), embeddings)) {
            if (retriever.isEmpty() && !json) {
                out.println("no documents indexed yet in " + ctx.workspace().index() + "; run `ragdesk index PATH` first");
                return ExitCodes.OK;
            }
            var result = retriever.search(String.join(" ", words), n, requested);
            WarmSearch.startServerAfter(ctx);
            var hits = result.hits();
            if (json) {
                var rows = hits.stream().map(h -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("rank", h.rank());
                    row.put("score", Math.round(h.score() * 1000) / 1000.0);
                    row.put("path", h.path());
                    row.put("location", h.location());
                    row.put("heading", h.heading());
                    row.put("excerpt", h.excerpt());
                    row.put("found_by", h.foundBy());
                    row.put("mode", result.plan().mode());
                    return row;
                }).toList();
                out.println(Json.pretty(rows));
                if (!result.plan().note().isEmpty()) spec.commandLine().getErr().println("ragdesk search: " + result.plan().note());
            } else if (hits.isEmpty()) {
                out.println("nothing matches; try other words" + note(result));
            } else {
                out.println("mode: " + result.plan().mode() + note(result));
                for (var h : hits) {
                    out.printf(Locale.ROOT, "%d. %s (%s)  score %.3f  %s%n", h.rank(), h.path(), h.location(), h.score(), foundBy(h));
                    if (!h.heading().isEmpty()) out.println("   § " + h.heading());
                    out.println("   " + h.excerpt());
                }
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static String note(dev.ragdesk.rag.Retriever.Result result) {
        return result.plan().note().isEmpty() ? "" : " (" + result.plan().note() + ")";
    }

    /** "[bm25 #3, vector #1]": which lists found it, at which rank. */
    private static String foundBy(dev.ragdesk.rag.SearchHit h) {
        var parts = new java.util.ArrayList<String>();
        h.foundBy().forEach((list, rank) -> parts.add(list + " #" + rank));
        return "[" + String.join(", ", parts) + "]";
    }
}
