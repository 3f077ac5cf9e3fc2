package dev.ragdesk.bench;

import dev.ragdesk.cli.AppContext;
import dev.ragdesk.cli.ExitCodes;
import dev.ragdesk.cli.Json;

import dev.ragdesk.rag.Chunker;
import dev.ragdesk.rag.DocumentIndex;
import dev.ragdesk.rag.Extractors;
import dev.ragdesk.rag.Languages;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "index", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Index a generated corpus (about --chunks chunks) with ragdesk's indexer, and the same text",
                "with a bare Lucene IndexWriter loop using the same analyzers; prints MB/s for both.",
                "Leaves the index in .data/tmp/bench-index for `ragdesk bench search`."})
final class BenchIndexCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--chunks", paramLabel = "N", defaultValue = "100000", description = "Corpus size in chunks (default: ${DEFAULT-VALUE}).")
    int chunks;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    static Path benchDir(AppContext ctx) {
        return ctx.workspace().tmp().resolve("bench-index");
    }

    @Override
    public Integer call() throws Exception {
        var ctx = BenchCommand.context(spec);
        var err = spec.commandLine().getErr();
        var dir = benchDir(ctx);
        deleteTree(dir);
        int chunkChars = ctx.config().retrieval().chunkChars();
        int perFile = 10;
        int files = Math.max(1, chunks / perFile);
        if (!json) err.println("writing " + files + " files of " + perFile + " chunks ...");
        long bytes = new BenchCorpus(7).write(dir.resolve("corpus"), files, perFile, chunkChars);

        if (!json) err.println("bare Lucene loop ...");
        double bareSeconds = bare(dir.resolve("corpus"), dir.resolve("bare-index"), chunkChars);
        if (!json) err.println("ragdesk indexer ...");
        long t0 = System.nanoTime();
        int indexedChunks;
        try (var index = DocumentIndex.open(dir.resolve("index"), new Extractors(Long.MAX_VALUE),
                new Chunker(chunkChars, ctx.config().retrieval().chunkOverlap()))) {
            indexedChunks = index.index(List.of(dir.resolve("corpus")), p -> {}, () -> false).chunks();
        }
        double oursSeconds = (System.nanoTime() - t0) / 1e9;
        deleteTree(dir.resolve("bare-index"));

        double mb = bytes / 1048576.0;
        var report = new LinkedHashMap<String, Object>();
        report.put("files", files);
        report.put("chunks", indexedChunks);
        report.put("corpus_mb", round(mb));
        report.put("ragdesk_mb_per_s", round(mb / oursSeconds));
        report.put("bare_lucene_mb_per_s", round(mb / bareSeconds));
        report.put("ratio_vs_bare", round(bareSeconds / oursSeconds));
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.pretty(report));
        } else {
            out.printf(Locale.ROOT, "bench index: %d files, %d chunks, %.1f MB%n", files, indexedChunks, mb);
            out.printf(Locale.ROOT, "  ragdesk indexer:   %6.2f MB/s (%.1f s: walk, hash, extract, chunk, per-language fields, batched commits)%n", mb / oursSeconds, oursSeconds);
            out.printf(Locale.ROOT, "  bare Lucene loop:  %6.2f MB/s (%.1f s: same analyzers and fields, fixed-size pieces, one commit)%n", mb / bareSeconds, bareSeconds);
            out.printf(Locale.ROOT, "  ratio:             %6.2f%n", bareSeconds / oursSeconds);
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** The same text through a plain IndexWriter: read, cut into fixed pieces, same fields, one commit. */
    private static double bare(Path corpus, Path indexDir, int chunkChars) throws Exception {
        long t0 = System.nanoTime();
        List<Path> files;
        try (var list = Files.list(corpus)) {
            files = new ArrayList<>(list.sorted().toList());
        }
        try (var directory = FSDirectory.open(indexDir);
             var writer = new IndexWriter(directory, new IndexWriterConfig(Languages.perField()).setRAMBufferSizeMB(64))) {
            for (var file : files) {
                var text = Files.readString(file);
                for (int start = 0; start < text.length(); start += chunkChars) {
                    var piece = text.substring(start, Math.min(text.length(), start + chunkChars));
                    var doc = new Document();
                    doc.add(new StringField("path", file.toString(), Field.Store.YES));
                    doc.add(new Field("text", piece, DocumentIndexFieldTypes.TEXT_WITH_OFFSETS));
                    for (var lang : Languages.detect(piece)) doc.add(new TextField(lang.field(), piece, Field.Store.NO));
                    writer.addDocument(doc);
                }
            }
            writer.commit();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    static void deleteTree(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (var p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Access to the indexer's stored-with-offsets field type, so the baseline indexes exactly the same way. */
    private static final class DocumentIndexFieldTypes {
        static final org.apache.lucene.document.FieldType TEXT_WITH_OFFSETS = DocumentIndex.textFieldType();
    }
}
