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
        description = "Rank indexed passages for a query (BM25 over the base and per-language fields).")
final class SearchCommand implements Callable<Integer> {

    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "QUERY", description = "What to look for; several words are joined.")
    List<String> words;

    @Option(names = "--top", paramLabel = "N", description = "How many passages (default: [retrieval].top_k).")
    Integer top;

    @Option(names = "--json", description = "Print [{rank, score, path, location, heading, excerpt}].")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var ctx = root.context(false);
        var out = spec.commandLine().getOut();
        int n = top == null ? ctx.config().retrieval().topK() : top;
        if (n < 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1");
        try (var retriever = Documents.retriever(ctx.workspace())) {
            if (retriever.isEmpty() && !json) {
                out.println("no documents indexed yet in " + ctx.workspace().index() + "; run `ragdesk index PATH` first");
                return ExitCodes.OK;
            }
            var hits = retriever.search(String.join(" ", words), n);
            if (json) {
                var rows = hits.stream().map(h -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("rank", h.rank());
                    row.put("score", Math.round(h.score() * 1000) / 1000.0);
                    row.put("path", h.path());
                    row.put("location", h.location());
                    row.put("heading", h.heading());
                    row.put("excerpt", h.excerpt());
                    return row;
                }).toList();
                out.println(Json.pretty(rows));
            } else if (hits.isEmpty()) {
                out.println("nothing matches; try other words");
            } else {
                for (var h : hits) {
                    out.printf(Locale.ROOT, "%d. %s (%s)  score %.2f%n", h.rank(), h.path(), h.location(), h.score());
                    if (!h.heading().isEmpty()) out.println("   § " + h.heading());
                    out.println("   " + h.excerpt());
                }
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
