package dev.ragdesk.cli;

import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.Json;
import dev.ragdesk.config.Config;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.io.Sizes;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.rag.IndexProgress;
import dev.ragdesk.rag.IndexSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

@Command(name = "index", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Index documents into index/ for RAG: text, Markdown, code, HTML, PDF, DOCX.",
                "Re-running only re-reads files whose content changed and drops files that disappeared.",
                "With an embed model (`ragdesk download embed`), chunks also get vectors for search by meaning;",
                "--embed gives vectors to every chunk still without them (an index built before there was one).",
                "Ctrl-C stops after the current file; everything indexed so far stays searchable.",
                "With --backend solr (or [retrieval].backend = \"solr\") the same goes into the team's [solr] collection;",
                "--init creates that collection first."})
final class IndexCommand implements Callable<Integer> {

    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "PATH", arity = "0..*", description = "Files or folders to index (hidden folders are skipped).")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--remove", paramLabel = "PATH", description = "Remove a file, or everything under a folder, from the index.")
    Path remove;

    @Option(names = "--embed", description = "Give every indexed chunk a vector from the embed model, where it has none.")
    boolean embed;

    @Option(names = "--status", description = "Show what the index holds.")
    boolean status;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Mixin BackendOption backend;

    @Option(names = "--init", description = {"Create the [solr] collection ([solr].shards x .replicas) with ragdesk's schema,",
            "its vectors sized for the embed model; a collection that exists with this schema is kept."})
    boolean init;

    @Override
    public Integer call() throws Exception {
        var ctx = root.context(false);
        var config = backend.apply(ctx.config());
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (init) {
            if (!config.retrieval().backend().equals(Config.Retrieval.SOLR)) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--init creates a Solr collection: add --backend solr, or set [retrieval].backend = \"solr\"");
            }
            try (var embeddings = Embeddings.of(ctx.workspace(), config)) {
                out.println(Documents.createSolrCollection(config, embeddings, ctx.env()));
            }
            if (paths.isEmpty() && !embed && remove == null) return ExitCodes.OK;
        }
        if (status) {
            try (var embeddings = Embeddings.of(ctx.workspace(), config);
                 var retriever = Documents.retriever(ctx.workspace(), config, embeddings, ctx.env())) {
                var s = retriever.status();
                if (json) out.println(Json.pretty(s));
                else if (!s.exists()) out.println("no index yet: " + retriever.where() + "; run `ragdesk index PATH`");
                else {
                    out.printf("%s: %d files, %d chunks (%d with vectors), %d skipped%s, updated %s%n", retriever.where(),
                            s.files(), s.chunks(), s.vectorChunks(), s.skippedFiles(),
                            s.backend().equals(Config.Retrieval.LUCENE) ? ", " + Sizes.human(s.bytesOnDisk()) + " on disk" : "", s.updatedAt());
                    out.println("retrieval: " + s.retrieval());
                }
            }
            return ExitCodes.OK;
        }
        if (remove != null) {
            try (var index = Documents.openForWriting(ctx.workspace(), config, ctx.env())) {
                int removed = index.remove(remove);
                out.println("removed " + removed + " file" + (removed == 1 ? "" : "s") + " under " + remove.toAbsolutePath().normalize());
            }
            return ExitCodes.OK;
        }
        if (paths.isEmpty() && !embed) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "name files or folders to index, or use --embed / --remove / --status");
        }
        var stop = new AtomicBoolean();
        var summaries = new ArrayList<IndexSummary>();
        try (var interrupts = new Interrupts(); var embeddings = Embeddings.of(ctx.workspace(), config);
             var index = embed ? Documents.openForEmbedding(ctx.workspace(), config, embeddings, ctx.env())
                     : Documents.openForWriting(ctx.workspace(), config, embeddings, ctx.env())) {
            interrupts.onInterrupt(() -> stop.set(true));
            var mode = config.retrieval().mode();
            if (!embeddings.available() && (mode.equals("hybrid") || mode.equals("vector"))) {
                err.println("ragdesk index: no vectors this time (" + embeddings.missingReason() + "); then run `ragdesk index --embed`");
            }
            var progress = new Progress(err, System.console() != null && !json);
            if (!paths.isEmpty()) summaries.add(index.index(paths, progress::update, stop::get));
            if (embed && !stop.get()) summaries.add(index.embedMissing(progress::update, stop::get)); // the rest of the index
            progress.finish();
        }
        if (summaries.isEmpty()) {
            out.println("stopped before anything was done");
            return ExitCodes.INTERRUPTED;
        }
        if (json) {
            out.println(Json.pretty(summaries.size() == 1 ? summaries.get(0) : summaries));
        } else {
            for (var s : summaries) {
                out.println(s.describe());
                for (var skip : s.skipped()) out.println("  skipped " + skip.path() + ": " + skip.reason());
            }
        }
        out.flush();
        return summaries.stream().anyMatch(IndexSummary::cancelled) || stop.get() ? ExitCodes.INTERRUPTED : ExitCodes.OK;
    }

    /** "[#####-----] 12/340 files, 560 chunks embedded  path" redrawn on a terminal; every tenth of the way as plain lines otherwise. */
    private static final class Progress {
        private final PrintWriter err;
        private final boolean terminal;
        private int lastDecile = -1;

        Progress(PrintWriter err, boolean terminal) {
            this.err = err;
            this.terminal = terminal;
        }

        void update(IndexProgress p) {
            if (p.finished() || p.filesTotal() == 0) return;
            int filled = p.filesDone() * 20 / p.filesTotal();
            var line = String.format(Locale.ROOT, "[%s%s] %d/%d files%s  %s", "#".repeat(filled), "-".repeat(20 - filled),
                    p.filesDone() + 1, p.filesTotal(), p.chunksEmbedded() > 0 ? ", " + p.chunksEmbedded() + " chunks embedded" : "",
                    p.currentFile());
            if (terminal) {
                err.print("\r\033[K" + (line.length() > 120 ? line.substring(0, 117) + "..." : line));
                err.flush();
            } else if (p.filesDone() * 10 / p.filesTotal() != lastDecile) {
                lastDecile = p.filesDone() * 10 / p.filesTotal();
                err.println(line);
                err.flush();
            }
        }

        void finish() {
            if (terminal) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }
}
