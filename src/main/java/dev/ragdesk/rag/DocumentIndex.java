package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import org.apache.lucene.document.Document;
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
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
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

    private DocumentIndex(Path dir, Directory directory, IndexWriter writer, Extractors extractors, Chunker chunker,
                          CommitPolicy commits) {
        this.dir = dir;
        this.directory = directory;
        this.writer = writer;
        this.extractors = extractors;
        this.chunker = chunker;
        this.commits = commits;
    }

    public static DocumentIndex open(Path dir, Extractors extractors, Chunker chunker) throws RagdeskException {
        return open(dir, extractors, chunker, CommitPolicy.DEFAULT);
    }

    /** Opens (or creates) the index for writing; one writer at a time, across processes too. */
    public static DocumentIndex open(Path dir, Extractors extractors, Chunker chunker, CommitPolicy commits) throws RagdeskException {
        Documents.requireFolder(dir);
        try {
            Files.createDirectories(dir);
            var directory = FSDirectory.open(dir);
            var config = new IndexWriterConfig(Languages.perField())
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setRAMBufferSizeMB(64)
                    .setCommitOnClose(true);
            return new DocumentIndex(dir, directory, new IndexWriter(directory, config), extractors, chunker, commits);
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
        var known = manifest();
        int indexed = 0;
        int unchanged = 0;
        int chunks = 0;
        int done = 0;
        var skipped = new ArrayList<IndexSummary.Skip>();
        long lastCommit = System.nanoTime();
        int sinceCommit = 0;
        boolean stopped = false;
        try {
            for (var file : files) {
                if (cancelled.getAsBoolean()) {
                    stopped = true;
                    break;
                }
                var key = file.toString();
                progress.accept(new IndexProgress(done, files.size(), key, chunks, skipped.size(), false));
                String hash;
                try {
                    hash = sha256(file);
                } catch (IOException e) {
                    skipped.add(new IndexSummary.Skip(key, "unreadable (" + e.getMessage() + ")"));
                    done++;
                    continue; // no record: it is tried again next run
                }
                var before = known.get(key);
                if (before != null && before.unchanged(hash, extractors.skipSettings())) {
                    unchanged++;
                } else {
                    var extracted = extractors.extract(file);
                    var docs = new ArrayList<Document>();
                    if (extracted.isSkipped()) {
                        skipped.add(new IndexSummary.Skip(key, extracted.skipReason()));
                    } else {
                        var pieces = chunker.chunk(extracted);
                        for (var chunk : pieces) docs.add(chunkDoc(key, chunk));
                        chunks += pieces.size();
                        indexed++;
                    }
                    docs.add(fileDoc(key, hash, extracted, docs.size(), extractors.skipSettings()));
                    writer.updateDocuments(new Term(Fields.PATH, key), docs);
                    sinceCommit++;
                }
                done++;
                if (sinceCommit >= commits.files() || (sinceCommit > 0 && System.nanoTime() - lastCommit > commits.interval().toNanos())) {
                    commit();
                    lastCommit = System.nanoTime();
                    sinceCommit = 0;
                }
            }
            int removed = stopped ? 0 : removeVanished(known.keySet(), files, normalisedRoots);
            commit();
            progress.accept(new IndexProgress(done, files.size(), "", chunks, skipped.size(), true));
            return new IndexSummary(files.size(), indexed, unchanged, removed, List.copyOf(skipped), chunks,
                    (System.nanoTime() - t0) / 1e9, stopped);
        } catch (IOException e) {
            throw new RagdeskException("indexing failed: " + e.getMessage() + "; what was committed before stays searchable", e);
        }
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

    /** What the last commit knows of a file: its content hash, and for a skipped file the settings it was skipped under. */
    private record Known(String hash, boolean skipped, String skippedUnder) {
        boolean unchanged(String currentHash, String currentSkipSettings) {
            return hash.equals(currentHash) && (!skipped || currentSkipSettings.equals(skippedUnder));
        }
    }

    /** path → what the last commit knows of every file. */
    private Map<String, Known> manifest() throws RagdeskException {
        var map = new HashMap<String, Known>();
        try (var reader = DirectoryReader.open(writer)) {
            var searcher = new IndexSearcher(reader);
            var hits = searcher.search(new TermQuery(new Term(Fields.KIND, Fields.FILE)), Math.max(1, reader.maxDoc()));
            var stored = searcher.storedFields();
            for (var hit : hits.scoreDocs) {
                var doc = stored.document(hit.doc);
                var reason = doc.get(Fields.SKIPPED + "_reason");
                map.put(doc.get(Fields.PATH), new Known(doc.get(Fields.HASH), reason != null && !reason.isEmpty(),
                        doc.get(Fields.SKIPPED_UNDER)));
            }
            return map;
        } catch (IOException e) {
            throw Documents.unreadable(dir, e);
        }
    }

    private int countFiles() throws IOException {
        try (var reader = DirectoryReader.open(writer)) {
            return new IndexSearcher(reader).count(new TermQuery(new Term(Fields.KIND, Fields.FILE)));
        }
    }

    private void commit() throws IOException {
        writer.setLiveCommitData(Map.of("updated", Instant.now().toString()).entrySet());
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

    private static Document fileDoc(String path, String hash, Extracted extracted, int chunks, String skipSettings) throws IOException {
        var doc = new Document();
        doc.add(new StringField(Fields.KIND, Fields.FILE, Field.Store.NO));
        doc.add(new StringField(Fields.PATH, path, Field.Store.YES));
        doc.add(new StoredField(Fields.HASH, hash));
        doc.add(new StoredField(Fields.SIZE, Files.size(Path.of(path))));
        doc.add(new StoredField(Fields.TYPE, extracted.type()));
        doc.add(new StoredField(Fields.CHUNKS, chunks));
        doc.add(new StringField(Fields.SKIPPED, extracted.skipReason().isEmpty() ? "" : "yes", Field.Store.NO));
        doc.add(new StoredField(Fields.SKIPPED + "_reason", extracted.skipReason()));
        if (extracted.isSkipped()) doc.add(new StoredField(Fields.SKIPPED_UNDER, skipSettings));
        return doc;
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
