package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.embed.Embedder;
import dev.ragdesk.embed.Embeddings;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswScalarQuantizedVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.LockObtainFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Writes the on-disk Lucene index of the user's documents. One file's chunks and its record
 * are replaced together ({@code updateDocuments} by path), so re-indexing is incremental and
 * idempotent: a file is re-read only when its content hash changed, and files that vanished
 * are removed. Commits come in batches, so kill -9 at any moment leaves the last commit
 * consistent and searchable, and the next run carries on from there.
 *
 * <p>With an embed model, each chunk also carries its vector (scalar-quantised HNSW, a quarter
 * of the memory of float vectors) and the id of the model that made it; the file's record
 * carries that id too. A file whose record names another model (or none) is re-embedded from its
 * stored chunks without being read again, so vectors follow the same incremental rules as text.
 */
public final class DocumentIndex implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DocumentIndex.class);

    /**
     * How often to commit: after this many changed files or this much time, whichever comes
     * first. Each commit flushes a segment: on a 100k-chunk corpus, committing every 64 files or
     * 2 s ran at 0.56x a bare IndexWriter loop, every 2000 files or 30 s at 0.81x. kill -9 loses
     * at most one batch, which the next run redoes.
     */
    public record CommitPolicy(int files, java.time.Duration interval) {
        public static final CommitPolicy DEFAULT = new CommitPolicy(2000, java.time.Duration.ofSeconds(30));
    }

    static final FieldType TEXT_WITH_OFFSETS = textWithOffsets();

    /** The base text field's type (stored, offsets for highlighting), for benchmarks that mirror the indexer. */
    public static FieldType textFieldType() { return TEXT_WITH_OFFSETS; }

    private final Path dir;
    private final Directory directory;
    private final IndexWriter writer;
    private final Extractors extractors;
    private final Chunker chunker;
    private final CommitPolicy commits;
    private final Embeddings embeddings;
    /** What the last commit says about the vectors: kept across commits that embed nothing. */
    private final Map<String, String> commitData = new HashMap<>();

    private DocumentIndex(Path dir, Directory directory, IndexWriter writer, Extractors extractors, Chunker chunker,
                          CommitPolicy commits, Embeddings embeddings) {
        this.dir = dir;
        this.directory = directory;
        this.writer = writer;
        this.extractors = extractors;
        this.chunker = chunker;
        this.commits = commits;
        this.embeddings = embeddings;
    }

    public static DocumentIndex open(Path dir, Extractors extractors, Chunker chunker) throws RagdeskException {
        return open(dir, extractors, chunker, CommitPolicy.DEFAULT, Embeddings.none());
    }

    /**
     * Opens (or creates) the index for writing; one writer at a time, across processes too.
     * {@code embeddings} that are not {@link Embeddings#available() available} mean BM25 only.
     */
    public static DocumentIndex open(Path dir, Extractors extractors, Chunker chunker, CommitPolicy commits,
                                     Embeddings embeddings) throws RagdeskException {
        return open(dir, extractors, chunker, commits, embeddings, java.util.function.UnaryOperator.identity());
    }

    /** {@code around} wraps the index's folder: the crash tests stop a writer inside a commit with it. */
    static DocumentIndex open(Path dir, Extractors extractors, Chunker chunker, CommitPolicy commits, Embeddings embeddings,
                              java.util.function.UnaryOperator<Directory> around) throws RagdeskException {
        Documents.requireFolder(dir);
        try {
            var directory = around.apply(PrivateDirectory.open(dir));
            var config = new IndexWriterConfig(Languages.perField())
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setCodec(new QuantisedVectorsCodec())
                    .setRAMBufferSizeMB(64)
                    .setCommitOnClose(true);
            var index = new DocumentIndex(dir, directory, new IndexWriter(directory, config), extractors, chunker, commits, embeddings);
            if (DirectoryReader.indexExists(directory)) {
                try (var reader = DirectoryReader.open(directory)) {
                    index.commitData.putAll(reader.getIndexCommit().getUserData());
                }
            }
            return index;
        } catch (LockObtainFailedException e) {
            throw new RagdeskException("the index in " + dir + " is being updated by another ragdesk process; "
                    + "wait for it to finish, or stop it", e);
        } catch (IOException e) {
            throw Documents.unreadable(dir, e);
        }
    }

    /**
     * Indexes every file under {@code roots} (files or folders; hidden folders are skipped),
     * re-reading only what changed and dropping what disappeared.
     */
    public IndexSummary index(List<Path> roots, Consumer<IndexProgress> progress, BooleanSupplier cancelled)
            throws RagdeskException {
        long t0 = System.nanoTime();
        var normalisedRoots = new ArrayList<Path>();
        var files = new LinkedHashSet<Path>();
        for (var root : roots) {
            var real = realPath(root);
            normalisedRoots.add(real);
            walk(real, files);
        }
        var run = new Run(progress, files.size());
        try (var reader = DirectoryReader.open(writer)) {
            var known = manifest(reader);
            var embedId = embeddings.id();
            int indexed = 0;
            int unchanged = 0;
            int chunks = 0;
            var skipped = new ArrayList<IndexSummary.Skip>();
            boolean stopped = false;
            for (var file : files) {
                if (cancelled.getAsBoolean()) {
                    stopped = true;
                    break;
                }
                var key = file.toString();
                run.report(key, chunks, skipped.size());
                String hash;
                try {
                    hash = sha256(file);
                } catch (IOException e) {
                    skipped.add(new IndexSummary.Skip(key, "unreadable (" + e.getMessage() + ")"));
                    run.done++;
                    continue; // no record: it is tried again next run
                }
                var before = known.get(key);
                if (before != null && before.unchanged(hash, extractors.skipSettings())) {
                    if (before.needsVectors(embedId)) run.add(before.embeddedWith(embedId), storedChunks(reader, key));
                    unchanged++;
                } else {
                    var extracted = extractors.extract(file);
                    var pieces = extracted.isSkipped() ? List.<Chunk>of() : chunker.chunk(extracted);
                    if (extracted.isSkipped()) {
                        skipped.add(new IndexSummary.Skip(key, extracted.skipReason()));
                    } else {
                        chunks += pieces.size();
                        indexed++;
                    }
                    var record = new FileRecord(key, hash, Files.size(file), extracted.type(), pieces.size(), extracted.skipReason(),
                            extracted.isSkipped() ? extractors.skipSettings() : "", pieces.isEmpty() ? "" : embedId);
                    run.add(record, pieces);
                }
                run.done++;
                run.maybeCommit();
            }
            int removed = stopped ? 0 : removeVanished(known.keySet(), files, normalisedRoots);
            run.finish(chunks, skipped.size());
            return new IndexSummary(files.size(), indexed, unchanged, removed, List.copyOf(skipped), chunks, run.embedded,
                    (System.nanoTime() - t0) / 1e9, stopped);
        } catch (IOException e) {
            throw new RagdeskException("indexing failed: " + e.getMessage() + "; what was committed before stays searchable", e);
        }
    }

    /**
     * Gives every indexed file vectors from the current embed model, wherever in the index it
     * is: files indexed before there was one, by another model, or by a run that was stopped.
     * Reads no document again: the chunks are stored in the index.
     */
    public IndexSummary embedMissing(Consumer<IndexProgress> progress, BooleanSupplier cancelled) throws RagdeskException {
        if (!embeddings.available()) throw new RagdeskException(embeddings.missingReason());
        long t0 = System.nanoTime();
        try (var reader = DirectoryReader.open(writer)) {
            var embedId = embeddings.id();
            var pending = manifest(reader).values().stream().filter(r -> r.needsVectors(embedId)).toList();
            var run = new Run(progress, pending.size());
            int chunks = 0;
            boolean stopped = false;
            for (var record : pending) {
                if (cancelled.getAsBoolean()) {
                    stopped = true;
                    break;
                }
                run.report(record.path(), chunks, 0);
                var stored = storedChunks(reader, record.path());
                chunks += stored.size();
                run.add(record.embeddedWith(embedId), stored);
                run.done++;
                run.maybeCommit();
            }
            run.finish(chunks, 0);
            return new IndexSummary(pending.size(), 0, 0, 0, List.of(), 0, run.embedded, (System.nanoTime() - t0) / 1e9, stopped);
        } catch (IOException e) {
            throw new RagdeskException("embedding failed: " + e.getMessage() + "; what was committed before stays searchable", e);
        }
    }

    /**
     * One indexing run's files waiting to be written. Their chunks are embedded together, so a
     * folder of small files still fills whole batches; each file's chunks and record are then
     * replaced in one call, so a commit never holds half a file.
     */
    private final class Run {
        private final Consumer<IndexProgress> progress;
        private final int total;
        private final List<Map.Entry<FileRecord, List<Chunk>>> waiting = new ArrayList<>();
        private int waitingChunks;
        private int sinceCommit;
        private long lastCommit = System.nanoTime();
        int done;
        int embedded;

        Run(Consumer<IndexProgress> progress, int total) {
            this.progress = progress;
            this.total = total;
        }

        void report(String file, int chunks, int skipped) {
            progress.accept(new IndexProgress(done, total, file, chunks, embedded, skipped, false));
        }

        void add(FileRecord record, List<Chunk> chunks) throws IOException, RagdeskException {
            waiting.add(Map.entry(record, chunks));
            waitingChunks += record.embedModel().isEmpty() ? 0 : chunks.size();
            sinceCommit++;
            if (waitingChunks >= 4 * embeddings.settings().batchSize() || waiting.size() >= 256) write();
        }

        private void write() throws IOException, RagdeskException {
            List<float[]> vectors = List.of();
            Embedder embedder = null;
            if (waitingChunks > 0) {
                embedder = embeddings.get();
                var texts = new ArrayList<String>(waitingChunks);
                for (var w : waiting) if (!w.getKey().embedModel().isEmpty()) w.getValue().forEach(c -> texts.add(c.text()));
                vectors = embedder.passages(texts);
            }
            int next = 0;
            for (var w : waiting) {
                var record = w.getKey();
                var docs = new ArrayList<Document>();
                for (var chunk : w.getValue()) {
                    var doc = chunkDoc(record.path(), chunk);
                    if (!record.embedModel().isEmpty()) addVector(doc, vectors.get(next++), record.embedModel());
                    docs.add(doc);
                }
                docs.add(fileDoc(record));
                writer.updateDocuments(new Term(Fields.PATH, record.path()), docs);
            }
            if (embedder != null) {
                embedded += waitingChunks;
                commitData.put(Fields.EMBED_MODEL, embeddings.id());
                commitData.put(Fields.EMBED_NAME, embedder.displayName());
                commitData.put(Fields.EMBED_DIMS, String.valueOf(embedder.dimensions()));
            }
            waiting.clear();
            waitingChunks = 0;
        }

        void maybeCommit() throws IOException, RagdeskException {
            if (sinceCommit >= commits.files() || (sinceCommit > 0 && System.nanoTime() - lastCommit > commits.interval().toNanos())) {
                write();
                commit();
                lastCommit = System.nanoTime();
                sinceCommit = 0;
            }
        }

        void finish(int chunks, int skipped) throws IOException, RagdeskException {
            write();
            commit();
            progress.accept(new IndexProgress(done, total, "", chunks, embedded, skipped, true));
        }
    }

    private static void addVector(Document doc, float[] vector, String model) {
        doc.add(new KnnFloatVectorField(Fields.vector(vector.length), vector, VectorSimilarityFunction.DOT_PRODUCT));
        doc.add(new StringField(Fields.EMBED_MODEL, model, Field.Store.NO));
    }

    /** A file's chunks as the index stores them, in document order. */
    private static List<Chunk> storedChunks(DirectoryReader reader, String path) throws IOException {
        var searcher = new IndexSearcher(reader);
        var query = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(Fields.PATH, path)), BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(Fields.KIND, Fields.CHUNK)), BooleanClause.Occur.FILTER)
                .build();
        var hits = searcher.search(query, Math.max(1, reader.maxDoc()));
        var stored = searcher.storedFields();
        var chunks = new ArrayList<Chunk>();
        for (var hit : hits.scoreDocs) {
            var doc = stored.document(hit.doc);
            chunks.add(new Chunk(doc.get(Fields.TEXT), doc.get(Fields.HEADING), intField(doc, Fields.PAGE),
                    intField(doc, Fields.START_LINE), intField(doc, Fields.END_LINE), intField(doc, Fields.ORDINAL)));
        }
        chunks.sort(java.util.Comparator.comparingInt(Chunk::ordinal));
        return chunks;
    }

    private static int intField(Document doc, String name) {
        var field = doc.getField(name);
        return field == null ? 0 : field.numericValue().intValue();
    }

    /** Removes a file, or every file under a folder; returns how many files were removed. */
    public int remove(Path path) throws RagdeskException {
        var key = path.toAbsolutePath().normalize().toString();
        try {
            var real = Files.exists(path) ? path.toRealPath().toString() : key;
            int before = countFiles();
            var query = new BooleanQuery.Builder()
                    .add(new TermQuery(new Term(Fields.PATH, real)), BooleanClause.Occur.SHOULD)
                    .add(new PrefixQuery(new Term(Fields.PATH, real.endsWith("/") ? real : real + "/")), BooleanClause.Occur.SHOULD)
                    .build();
            writer.deleteDocuments(query);
            commit();
            return before - countFiles();
        } catch (IOException e) {
            throw new RagdeskException("cannot remove " + key + " from the index: " + e.getMessage(), e);
        }
    }

    private int removeVanished(Iterable<String> known, java.util.Set<Path> seen, List<Path> roots) throws IOException {
        var seenKeys = new java.util.HashSet<String>();
        seen.forEach(p -> seenKeys.add(p.toString()));
        int removed = 0;
        for (var key : known) {
            if (seenKeys.contains(key)) continue;
            boolean underRoot = roots.stream().anyMatch(r -> key.equals(r.toString()) || key.startsWith(r + "/"));
            if (underRoot && !Files.exists(Path.of(key))) {
                writer.deleteDocuments(new Term(Fields.PATH, key));
                removed++;
            }
        }
        return removed;
    }

    /**
     * A file's record in the index: its content hash, how it was read, and for a skipped file the
     * settings it was skipped under. {@code embedModel} is the id of the model its chunks'
     * vectors came from, empty when they have none.
     */
    private record FileRecord(String path, String hash, long size, String type, int chunks, String skipReason,
                              String skippedUnder, String embedModel) {
        boolean unchanged(String currentHash, String currentSkipSettings) {
            return hash.equals(currentHash) && (skipReason.isEmpty() || currentSkipSettings.equals(skippedUnder));
        }

        /** Chunks without vectors from {@code model}, which is empty when there is no embed model. */
        boolean needsVectors(String model) {
            return !model.isEmpty() && chunks > 0 && !model.equals(embedModel);
        }

        FileRecord embeddedWith(String model) {
            return new FileRecord(path, hash, size, type, chunks, skipReason, skippedUnder, model);
        }
    }

    /** path → what the reader's commit knows of every file. */
    private Map<String, FileRecord> manifest(DirectoryReader reader) throws RagdeskException {
        var map = new HashMap<String, FileRecord>();
        try {
            var searcher = new IndexSearcher(reader);
            var hits = searcher.search(new TermQuery(new Term(Fields.KIND, Fields.FILE)), Math.max(1, reader.maxDoc()));
            var stored = searcher.storedFields();
            for (var hit : hits.scoreDocs) {
                var doc = stored.document(hit.doc);
                var reason = doc.get(Fields.SKIPPED + "_reason");
                var path = doc.get(Fields.PATH);
                map.put(path, new FileRecord(path, doc.get(Fields.HASH), longField(doc, Fields.SIZE),
                        orEmpty(doc.get(Fields.TYPE)), intField(doc, Fields.CHUNKS), orEmpty(reason),
                        orEmpty(doc.get(Fields.SKIPPED_UNDER)), orEmpty(doc.get(Fields.EMBED_MODEL))));
            }
            return map;
        } catch (IOException e) {
            throw Documents.unreadable(dir, e);
        }
    }

    private static long longField(Document doc, String name) {
        var field = doc.getField(name);
        return field == null ? 0 : field.numericValue().longValue();
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private int countFiles() throws IOException {
        try (var reader = DirectoryReader.open(writer)) {
            return new IndexSearcher(reader).count(new TermQuery(new Term(Fields.KIND, Fields.FILE)));
        }
    }

    private void commit() throws IOException {
        commitData.put("updated", Instant.now().toString());
        writer.setLiveCommitData(Map.copyOf(commitData).entrySet());
        writer.commit();
    }

    private static Document chunkDoc(String path, Chunk chunk) {
        var doc = new Document();
        doc.add(new StringField(Fields.KIND, Fields.CHUNK, Field.Store.NO));
        doc.add(new StringField(Fields.PATH, path, Field.Store.YES));
        doc.add(new Field(Fields.TEXT, chunk.text(), TEXT_WITH_OFFSETS));
        var langs = Languages.detect(chunk.text());
        for (var lang : langs) doc.add(new TextField(lang.field(), chunk.text(), Field.Store.NO));
        doc.add(new StringField(Fields.LANG, langs.isEmpty() ? "" : langs.iterator().next().code, Field.Store.YES));
        doc.add(new StoredField(Fields.HEADING, chunk.heading()));
        doc.add(new StoredField(Fields.PAGE, chunk.page()));
        doc.add(new StoredField(Fields.START_LINE, chunk.startLine()));
        doc.add(new StoredField(Fields.END_LINE, chunk.endLine()));
        doc.add(new StoredField(Fields.ORDINAL, chunk.ordinal()));
        return doc;
    }

    private static Document fileDoc(FileRecord record) {
        var doc = new Document();
        doc.add(new StringField(Fields.KIND, Fields.FILE, Field.Store.NO));
        doc.add(new StringField(Fields.PATH, record.path(), Field.Store.YES));
        doc.add(new StoredField(Fields.HASH, record.hash()));
        doc.add(new StoredField(Fields.SIZE, record.size()));
        doc.add(new StoredField(Fields.TYPE, record.type()));
        doc.add(new StoredField(Fields.CHUNKS, record.chunks()));
        doc.add(new StringField(Fields.SKIPPED, record.skipReason().isEmpty() ? "" : "yes", Field.Store.NO));
        doc.add(new StoredField(Fields.SKIPPED + "_reason", record.skipReason()));
        if (!record.skipReason().isEmpty()) doc.add(new StoredField(Fields.SKIPPED_UNDER, record.skippedUnder()));
        if (!record.embedModel().isEmpty()) doc.add(new StringField(Fields.EMBED_MODEL, record.embedModel(), Field.Store.YES));
        return doc;
    }

    /**
     * Scalar-quantised HNSW for every vector field: int8 in memory instead of float32. Each
     * segment names its format, so a plain reader opens the index without this class.
     */
    private static final class QuantisedVectorsCodec extends org.apache.lucene.codecs.FilterCodec {
        private final KnnVectorsFormat vectors = new Lucene99HnswScalarQuantizedVectorsFormat();

        QuantisedVectorsCodec() {
            super("Lucene912", new Lucene912Codec());
        }

        @Override
        public org.apache.lucene.codecs.KnnVectorsFormat knnVectorsFormat() {
            return new org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat() {
                @Override
                public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
                    return vectors;
                }
            };
        }
    }

    private static void walk(Path root, java.util.Set<Path> out) throws RagdeskException {
        if (Files.isRegularFile(root)) {
            out.add(root);
            return;
        }
        if (!Files.isDirectory(root)) throw new RagdeskException("cannot index " + root + ": no such file or folder");
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    var name = d.getFileName() == null ? "" : d.getFileName().toString();
                    return !d.equals(root) && name.startsWith(".") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && !f.getFileName().toString().startsWith(".")) out.add(f.toAbsolutePath().normalize());
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    log.warn("cannot read {}: {}", f, e.toString());
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new RagdeskException("cannot walk " + root + ": " + e.getMessage(), e);
        }
    }

    private static Path realPath(Path path) throws RagdeskException {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new RagdeskException("cannot index " + path + ": no such file or folder");
        }
    }

    private static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            var digest = MessageDigest.getInstance("SHA-256");
            var buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) digest.update(buffer, 0, n);
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static FieldType textWithOffsets() {
        var type = new FieldType(TextField.TYPE_STORED);
        type.setIndexOptions(IndexOptions.DOCS_AND_FREQS_AND_POSITIONS_AND_OFFSETS);
        type.freeze();
        return type;
    }

    @Override
    public void close() throws RagdeskException {
        try {
            writer.close();
            directory.close();
        } catch (IOException e) {
            throw new RagdeskException("cannot close the index: " + e.getMessage(), e);
        }
    }
}
