package dev.ragdesk.bench;

import dev.ragdesk.io.FileTrees;
import dev.ragdesk.app.AppContext;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.Json;
import dev.ragdesk.config.Config;
import dev.ragdesk.embed.EmbedModelFiles;
import dev.ragdesk.embed.Embedder;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.embed.OnnxEmbedder;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.rag.Chunker;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.rag.DocumentIndex;
import dev.ragdesk.rag.Extractors;
import dev.ragdesk.rag.Languages;
import dev.ragdesk.rag.solr.SolrCollection;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.FSDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "index", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Index a generated corpus (about --chunks chunks) with ragdesk's indexer, and the same text",
                "with a bare Lucene IndexWriter loop using the same analyzers; prints MB/s for both.",
                "With an embed model: its chunks/s when indexing --embed-chunks chunks with vectors, beside ONNX",
                "Runtime alone embedding the same chunks in a bare loop; the big index then gets a vector per chunk",
                "(random, so it builds in minutes; queries use the real model) for `bench search --mode hybrid`.",
                "Leaves the index in .data/tmp/bench-index for `ragdesk bench search`.",
                "--backend solr also indexes the corpus into the [solr] cluster's collection " + BenchIndexCommand.SOLR_COLLECTION,
                "(made afresh; the team's own collection is never touched) and prints its rate beside the local index's."})
final class BenchIndexCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @picocli.CommandLine.ParentCommand BenchCommand bench;

    @Option(names = "--chunks", paramLabel = "N", defaultValue = "100000", description = "Corpus size in chunks (default: ${DEFAULT-VALUE}).")
    int chunks;

    @Option(names = "--embed-chunks", paramLabel = "N", defaultValue = "1000",
            description = "Chunks embedded for real to measure the embed model (default: ${DEFAULT-VALUE}; 0: skip).")
    int embedChunks;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "lucene",
            description = "lucene, or solr to index into the [solr] cluster too (default: ${DEFAULT-VALUE}).")
    String backend;

    /** The benchmarks' own collection on the team's cluster: made afresh by each `bench index --backend solr`. */
    static final String SOLR_COLLECTION = "ragdesk-bench";

    /** [solr] as config.toml says, on the benchmarks' own collection. */
    static Config solrBench(Config config) {
        return config.withSolr(config.solr().withCollection(SOLR_COLLECTION))
                .withRetrieval(config.retrieval().withBackend(Config.Retrieval.SOLR));
    }

    static Path benchDir(AppContext ctx) {
        return ctx.workspace().tmp().resolve("bench-index");
    }

    @Override
    public Integer call() throws Exception {
        var ctx = bench.context();
        var err = spec.commandLine().getErr();
        if (!Config.Retrieval.BACKENDS.contains(backend)) throw new RagdeskException("--backend must be lucene or solr, not \"" + backend + "\"");
        boolean solr = backend.equals(Config.Retrieval.SOLR);
        if (solr && !ctx.config().solr().hasAddress()) {
            throw new RagdeskException("--backend solr needs the cluster's address: set [solr].url (or zk_hosts) in config.toml");
        }
        var dir = benchDir(ctx);
        FileTrees.delete(dir);
        int chunkChars = ctx.config().retrieval().chunkChars();
        int perFile = 10;
        int files = Math.max(1, chunks / perFile);
        if (!json) err.println("writing " + files + " files of " + perFile + " chunks ...");
        long bytes = new BenchCorpus(7).write(dir.resolve("corpus"), files, perFile, chunkChars);

        var report = new LinkedHashMap<String, Object>();
        var embedFiles = EmbedModelFiles.of(ctx.workspace(), ctx.config());
        var settings = ctx.config().embedding();
        var chunker = new Chunker(chunkChars, ctx.config().retrieval().chunkOverlap());
        Embedder model = null;
        try {
            if (embedFiles.present()) {
                model = OnnxEmbedder.load(embedFiles, settings);
                if (embedChunks > 0) embedding(dir, model, embedFiles, settings, chunker, files, perFile, report);
            } else if (!json) {
                err.println("no embed model (`ragdesk download embed`, or [models.embed] path): measuring BM25 indexing only");
            }
            var vectors = model == null ? null : new RandomPassageVectors(model);

            if (!json) err.println("bare Lucene loop ...");
            double bareSeconds = bare(dir.resolve("corpus"), dir.resolve("bare-index"), chunkChars, vectors);
            if (!json) err.println("ragdesk indexer" + (vectors == null ? "" : " (with a vector per chunk)") + " ...");
            long t0 = System.nanoTime();
            int indexedChunks;
            var embeddings = vectors == null ? Embeddings.none() : Embeddings.of(vectors.id(), vectors.displayName(), settings, () -> vectors);
            try (var index = DocumentIndex.open(dir.resolve("index"), new Extractors(Long.MAX_VALUE), chunker,
                    DocumentIndex.CommitPolicy.DEFAULT, embeddings)) {
                indexedChunks = index.index(List.of(dir.resolve("corpus")), p -> {}, () -> false).chunks();
            }
            double oursSeconds = (System.nanoTime() - t0) / 1e9;
            FileTrees.delete(dir.resolve("bare-index"));
            if (solr) solrIndexing(ctx, dir, embeddings, bytes, oursSeconds, indexedChunks, report);
            printLucene(report, files, indexedChunks, bytes, bareSeconds, oursSeconds, vectors != null);
        } finally {
            if (model != null) model.close();
        }
        return ExitCodes.OK;
    }

    /**
     * Embedding throughput: the first files' chunks through ragdesk's indexer with the real
     * model (into a scratch index), and the same chunk texts through {@link BareEmbed}. They
     * take turns, a quarter of the chunks at a time, so drift on a shared machine lands on both.
     */
    private void embedding(Path dir, Embedder model, EmbedModelFiles files, Config.Embedding settings,
                           Chunker chunker, int totalFiles, int perFile, Map<String, Object> report) throws Exception {
        var err = spec.commandLine().getErr();
        int rounds = 4;
        List<Path> chosen;
        try (var list = Files.list(dir.resolve("corpus"))) {
            chosen = list.sorted().limit(Math.max(rounds, Math.min(totalFiles, (embedChunks + perFile - 1) / perFile))).toList();
        }
        var embeddings = Embeddings.of(model.id(), model.displayName(), settings, () -> model);
        double bare = 0;
        double ours = 0;
        int texts = 0;
        int embedded = 0;
        try (var baseline = BareEmbed.open(files, settings);
             var index = DocumentIndex.open(dir.resolve("embed-index"), new Extractors(Long.MAX_VALUE), chunker,
                     DocumentIndex.CommitPolicy.DEFAULT, embeddings)) {
            baseline.seconds(List.of("warm up the baseline"));
            for (int round = 0; round < rounds; round++) {
                var roundDir = Files.createDirectories(dir.resolve("embed-corpus-" + round));
                var roundTexts = new ArrayList<String>();
                for (int i = round; i < chosen.size(); i += rounds) {
                    var file = chosen.get(i);
                    Files.copy(file, roundDir.resolve(file.getFileName()));
                    for (var chunk : chunker.chunk(new Extractors(Long.MAX_VALUE).extract(file))) roundTexts.add(chunk.text());
                }
                if (!json) err.println("embedding, round " + (round + 1) + " of " + rounds + ": " + roundTexts.size()
                        + " chunks with ONNX Runtime alone, then with ragdesk's indexer ...");
                bare += baseline.seconds(roundTexts);
                texts += roundTexts.size();
                long t0 = System.nanoTime();
                embedded += index.index(List.of(roundDir), p -> {}, () -> false).embedded();
                ours += (System.nanoTime() - t0) / 1e9;
                FileTrees.delete(roundDir);
            }
        }
        FileTrees.delete(dir.resolve("embed-index"));
        report.put("embed_model", model.displayName());
        report.put("embed_threads", settings.effectiveThreads());
        report.put("embed_batch", settings.batchSize());
        report.put("embedded_chunks", embedded);
        report.put("ragdesk_chunks_per_s", round(embedded / ours));
        report.put("bare_onnx_chunks_per_s", round(texts / bare));
        report.put("embed_ratio_vs_bare", round((embedded / ours) / (texts / bare)));
    }

    /**
     * The same corpus, with the same indexer and vectors, into a fresh collection on the [solr]
     * cluster: its rate beside the local index's from this run.
     */
    private void solrIndexing(AppContext ctx, Path dir, Embeddings embeddings, long bytes, double localSeconds, int localChunks,
                              Map<String, Object> report) throws RagdeskException {
        var config = solrBench(ctx.config());
        if (!json) spec.commandLine().getErr().println("ragdesk indexer into " + config.solr().describe() + " ...");
        try (var collection = SolrCollection.connect(config.solr(), ctx.env())) {
            if (collection.exists()) collection.delete();
        }
        Documents.createSolrCollection(config, embeddings, ctx.env());
        long t0 = System.nanoTime();
        int chunks;
        try (var index = Documents.openForWriting(ctx.workspace(), config, embeddings, ctx.env())) {
            chunks = index.index(List.of(dir.resolve("corpus")), p -> {}, () -> false).chunks();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double mb = bytes / 1048576.0;
        report.put("solr_collection", config.solr().describe());
        report.put("solr_shards_x_replicas", config.solr().shards() + "x" + config.solr().replicas());
        report.put("solr_chunks", chunks);
        report.put("solr_mb_per_s", round(mb / seconds));
        report.put("solr_chunks_per_s", round(chunks / seconds));
        report.put("local_chunks_per_s", round(localChunks / localSeconds));
        report.put("solr_ratio_vs_local", round(localSeconds / seconds));
    }

    private void printLucene(Map<String, Object> report, int files, int indexedChunks, long bytes, double bareSeconds,
                             double oursSeconds, boolean vectors) throws IOException {

        double mb = bytes / 1048576.0;
        report.put("vectors", vectors ? "random unit vectors, one per chunk, in both" : "none");
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
            out.printf(Locale.ROOT, "  ratio:             %6.2f%s%n", bareSeconds / oursSeconds,
                    vectors ? "  (both with a random vector per chunk in scalar-quantised HNSW)" : "");
            if (report.containsKey("solr_mb_per_s")) {
                out.printf(Locale.ROOT, "bench index, solr collection %s (%s shards x replicas):%n", report.get("solr_collection"),
                        report.get("solr_shards_x_replicas"));
                out.printf(Locale.ROOT, "  ragdesk into Solr:  %6.2f MB/s, %8.1f chunks/s%n", (double) report.get("solr_mb_per_s"),
                        (double) report.get("solr_chunks_per_s"));
                out.printf(Locale.ROOT, "  ragdesk, local:     %6.2f MB/s, %8.1f chunks/s (baseline, same run)%n", mb / oursSeconds,
                        (double) report.get("local_chunks_per_s"));
                out.printf(Locale.ROOT, "  ratio Solr / local: %6.2f%n", (double) report.get("solr_ratio_vs_local"));
            }
            if (report.containsKey("embedded_chunks")) {
                out.printf(Locale.ROOT, "bench index, embedding with %s (%s threads, batch %s), %s chunks:%n", report.get("embed_model"),
                        report.get("embed_threads"), report.get("embed_batch"), report.get("embedded_chunks"));
                out.printf(Locale.ROOT, "  ragdesk indexer:   %8.1f chunks/s (extract, chunk, embed, index)%n", (double) report.get("ragdesk_chunks_per_s"));
                out.printf(Locale.ROOT, "  ONNX Runtime alone:%8.1f chunks/s (tokenize, run, pool in a bare loop)%n", (double) report.get("bare_onnx_chunks_per_s"));
                out.printf(Locale.ROOT, "  ratio:             %8.2f%n", (double) report.get("embed_ratio_vs_bare"));
            }
        }
        out.flush();
    }

    /** The same text through a plain IndexWriter: read, cut into fixed pieces, same fields, one commit. */
    private static double bare(Path corpus, Path indexDir, int chunkChars, Embedder vectors) throws Exception {
        long t0 = System.nanoTime();
        List<Path> files;
        try (var list = Files.list(corpus)) {
            files = new ArrayList<>(list.sorted().toList());
        }
        try (var directory = FSDirectory.open(indexDir);
             var writer = new IndexWriter(directory, new IndexWriterConfig(Languages.perField()).setRAMBufferSizeMB(64)
                     .setCodec(new Lucene912Codec() {
                         @Override
                         public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                             return new Lucene99HnswScalarQuantizedVectorsFormat();
                         }
                     }))) {
            for (var file : files) {
                var text = Files.readString(file);
                for (int start = 0; start < text.length(); start += chunkChars) {
                    var piece = text.substring(start, Math.min(text.length(), start + chunkChars));
                    var doc = new Document();
                    doc.add(new StringField("path", file.toString(), Field.Store.YES));
                    doc.add(new Field("text", piece, DocumentIndexFieldTypes.TEXT_WITH_OFFSETS));
                    for (var lang : Languages.detect(piece)) doc.add(new TextField(lang.field(), piece, Field.Store.NO));
                    if (vectors != null) {
                        doc.add(new KnnFloatVectorField("vector", vectors.passages(List.of(piece)).get(0),
                                VectorSimilarityFunction.DOT_PRODUCT));
                    }
                    writer.addDocument(doc);
                }
            }
            writer.commit();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Access to the indexer's stored-with-offsets field type, so the baseline indexes exactly the same way. */
    private static final class DocumentIndexFieldTypes {
        static final FieldType TEXT_WITH_OFFSETS = DocumentIndex.textFieldType();
    }
}
