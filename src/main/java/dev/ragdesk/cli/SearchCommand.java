package dev.ragdesk.cli;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.Json;
import dev.ragdesk.config.Config;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.rag.SearchBackend;
import dev.ragdesk.rag.SearchHit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

    @Parameters(arity = "0..*", paramLabel = "QUERY", description = "What to look for; several words are joined.")
    List<String> words = List.of();

    @Option(names = "--top", paramLabel = "N", description = "How many passages (default: [retrieval].top_k).")
    Integer top;

    @Option(names = "--mode", paramLabel = "MODE", description = "hybrid, bm25, vector or auto (default: [retrieval].mode).")
    String mode;

    @Mixin BackendOption backend;

    @Option(names = "--json", description = {"Print [{rank, score, path, location, heading, excerpt, found_by, mode}];",
            "found_by maps each ranking that held the passage (bm25, vector) to its rank there."})
    boolean json;

    @Option(names = "--stdin", description = {"Read one query per line from standard input and print one JSON line per query,",
            "{query, mode, note, hits} or {query, error}, in one process: for scripts that search many times."})
    boolean stdin;

    @Override
    public Integer call() throws Exception {
        if (stdin && !words.isEmpty()) throw new ParameterException(spec.commandLine(), "give the query on the command line or use --stdin, not both");
        if (!stdin && words.isEmpty()) throw new ParameterException(spec.commandLine(), "Missing required parameter: 'QUERY'");
        var ctx = root.context(false);
        var config = backend.apply(ctx.config());
        var out = spec.commandLine().getOut();
        int n = top == null ? config.retrieval().topK() : top;
        if (n < 1) throw new ParameterException(spec.commandLine(), "--top must be at least 1");
        var requested = mode == null ? config.retrieval().mode() : mode.trim();
        if (!Config.Retrieval.MODES.contains(requested)) {
            throw new ParameterException(spec.commandLine(), "--mode must be hybrid, bm25, vector or auto, not \"" + requested + "\"");
        }
        try (var embeddings = ctx.openEmbeddings();
             var retriever = Documents.retriever(ctx.workspace(), config, embeddings, ctx.env())) {
            if (stdin) return searchEachLine(retriever, n, requested, out);
            if (retriever.isEmpty() && !json) {
                out.println("no documents indexed yet in " + retriever.where() + "; run `ragdesk index PATH` first");
                return ExitCodes.OK;
            }
            var result = retriever.search(String.join(" ", words), n, requested);
            if (json) {
                out.println(Json.pretty(rows(result)));
                if (!result.plan().note().isEmpty()) spec.commandLine().getErr().println("ragdesk search: " + result.plan().note());
            } else {
                printForPeople(result, out);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /**
     * One JSON line out per line in, flushed at once, so a script can write a query and read its
     * answer before sending the next. A query that fails gets its error line; the rest go on.
     */
    private int searchEachLine(SearchBackend retriever, int n, String requested, PrintWriter out) throws Exception {
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            var query = line.strip();
            if (query.isEmpty()) continue;
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("query", query);
            try {
                var result = retriever.search(query, n, requested);
                answer.put("mode", result.plan().mode());
                answer.put("note", result.plan().note());
                answer.put("hits", rows(result));
            } catch (RagdeskException e) {
                answer.put("error", e.getMessage());
            }
            out.println(Json.line(answer));
            out.flush();
        }
        return ExitCodes.OK;
    }

    private static List<Map<String, Object>> rows(SearchBackend.Result result) {
        return result.hits().stream().map(h -> {
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
    }

    private static void printForPeople(SearchBackend.Result result, PrintWriter out) {
        if (result.hits().isEmpty()) {
            out.println("nothing matches; try other words" + note(result));
            return;
        }
        out.println("mode: " + result.plan().mode() + note(result));
        for (var h : result.hits()) {
            out.printf(Locale.ROOT, "%d. %s (%s)  score %.3f  %s%n", h.rank(), h.path(), h.location(), h.score(), foundBy(h));
            if (!h.heading().isEmpty()) out.println("   § " + h.heading());
            out.println("   " + h.excerpt());
        }
    }

    private static String note(SearchBackend.Result result) {
        return result.plan().note().isEmpty() ? "" : " (" + result.plan().note() + ")";
    }

    /** "[bm25 #3, vector #1]": which lists found it, at which rank. */
    private static String foundBy(SearchHit h) {
        var parts = new ArrayList<String>();
        h.foundBy().forEach((list, rank) -> parts.add(list + " #" + rank));
        return "[" + String.join(", ", parts) + "]";
    }
}
