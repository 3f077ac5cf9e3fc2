package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.embed.Embedder;
import dev.ragdesk.embed.Embeddings;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.store.Directory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Indexes the user's documents into a {@link DocumentStore}: this workspace's Lucene folder or a
 * team's SolrCloud collection, by the same rules. Re-indexing is incremental and idempotent: a
 * file is re-read only when its content hash changed, and files that vanished are removed. One
 * file's chunks and its record are replaced together. Commits come in batches, so kill -9 at any
 * moment leaves the last commit consistent and searchable, and the next run carries on from there.
 *
 * <p>With an embed model, each chunk also carries its vector and the id of the model that made
 * it; the file's record carries that id too. A file whose record names another model (or none)
 * is re-embedded from its stored chunks without being read again, so vectors follow the same
 * incremental rules as text.
 */
public final class DocumentIndex implements AutoCloseable {

    /**
     * How often to commit: after this many changed files or this much time, whichever comes
     * first. Each commit flushes a segment: on a 100k-chunk corpus, committing every 64 files or
     * 2 s ran at 0.56x a bare IndexWriter loop, every 2000 files or 30 s at 0.81x. kill -9 loses
     * at most one batch, which the next run redoes.
     */
    public record CommitPolicy(int files, Duration interval) {
        public static final CommitPolicy DEFAULT = new CommitPolicy(2000, Duration.ofSeconds(30));
    }

    /** The base text field's type (stored, offsets for highlighting), for benchmarks that mirror the indexer. */
    public static FieldType textFieldType() { return Fields.TEXT_WITH_OFFSETS; }

    private final DocumentStore store;
    private final Extractors extractors;
    private final Chunker chunker;
    private final CommitPolicy commits;
    private final Embeddings embeddings;
    /** Which model made the vectors written since the last commit: the store records it with the commit. */
    private final Map<String, String> vectorsNote = new HashMap<>();

    private DocumentIndex(DocumentStore store, Extractors extractors, Chunker chunker, CommitPolicy commits, Embeddings embeddings) {
        this.store = store;
        this.extractors = extractors;
        this.chunker = chunker;
        this.commits = commits;
        this.embeddings = embeddings;
    }

    public static DocumentIndex open(Path dir, Extractors extractors, Chunker chunker) throws RagdeskException {
        return open(dir, extractors, chunker, CommitPolicy.DEFAULT, Embeddings.none());
    }

    /**
     * Opens (or creates) the local index for writing; one writer at a time, across processes too.
     * {@code embeddings} that are not {@link Embeddings#available() available} mean BM25 only.
     */
    public static DocumentIndex open(Path dir, Extractors extractors, Chunker chunker, CommitPolicy commits,
                                     Embeddings embeddings) throws RagdeskException {
        return open(dir, extractors, chunker, commits, embeddings, UnaryOperator.identity());
    }

    /** {@code around} wraps the index's folder: the crash tests stop a writer inside a commit with it. */
    static DocumentIndex open(Path dir, Extractors extractors, Chunker chunker, CommitPolicy commits, Embeddings embeddings,
                              UnaryOperator<Directory> around) throws RagdeskException {
        return on(LuceneStore.open(dir, around), extractors, chunker, commits, embeddings);
    }

    /** Indexes into {@code store}, which this index then owns and closes. */
    public static DocumentIndex on(DocumentStore store, Extractors extractors, Chunker chunker, CommitPolicy commits,
                                   Embeddings embeddings) {
        return new DocumentIndex(store, extractors, chunker, commits, embeddings);
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
            var real = SourceFiles.realPath(root);
            normalisedRoots.add(real);
            SourceFiles.walk(real, files);
        }
        var run = new Run(progress, files.size());
        try (var snapshot = store.snapshot()) {
            var known = snapshot.files();
            var embedId = embeddings.id();
            var indexed = new int[1];
            var unchanged = new int[1];
            boolean stopped = run.over(files, cancelled, Path::toString, file -> {
                var key = file.toString();
                String hash;
                try {
                    hash = SourceFiles.sha256(file);
                } catch (IOException e) {
                    run.skipped.add(new IndexSummary.Skip(key, "unreadable (" + e.getMessage() + ")"));
                    return; // no record: it is tried again next run
                }
                var before = known.get(key);
                if (before != null && before.unchanged(hash, extractors.skipSettings())) {
                    if (before.needsVectors(embedId)) run.add(before.embeddedWith(embedId), snapshot.chunks(key));
                    unchanged[0]++;
                    return;
                }
                var extracted = extractors.extract(file);
                var pieces = extracted.isSkipped() ? List.<Chunk>of() : chunker.chunk(extracted);
                if (extracted.isSkipped()) {
                    run.skipped.add(new IndexSummary.Skip(key, extracted.skipReason()));
                } else {
                    run.chunks += pieces.size();
                    indexed[0]++;
                }
                run.add(new FileRecord(key, hash, Files.size(file), extracted.type(), pieces.size(), extracted.skipReason(),
                        extracted.isSkipped() ? extractors.skipSettings() : "", pieces.isEmpty() ? "" : embedId), pieces);
            });
            int removed = stopped ? 0 : removeVanished(known.keySet(), files, normalisedRoots);
            run.finish();
            return new IndexSummary(files.size(), indexed[0], unchanged[0], removed, List.copyOf(run.skipped), run.chunks, run.embedded,
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
        try (var snapshot = store.snapshot()) {
            var embedId = embeddings.id();
            var pending = snapshot.files().values().stream().filter(r -> r.needsVectors(embedId)).toList();
            var run = new Run(progress, pending.size());
            boolean stopped = run.over(pending, cancelled, FileRecord::path, record -> {
                var stored = snapshot.chunks(record.path());
                run.chunks += stored.size();
                run.add(record.embeddedWith(embedId), stored);
            });
            run.finish();
            return new IndexSummary(pending.size(), 0, 0, 0, List.of(), 0, run.embedded, (System.nanoTime() - t0) / 1e9, stopped);
        } catch (IOException e) {
            throw new RagdeskException("embedding failed: " + e.getMessage() + "; what was committed before stays searchable", e);
        }
    }

    /** One step of a run, for one file. */
    @FunctionalInterface
    private interface Step<T> {
        void take(T item) throws IOException, RagdeskException;
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
        final List<IndexSummary.Skip> skipped = new ArrayList<>();
        int done;
        int chunks;
        int embedded;

        Run(Consumer<IndexProgress> progress, int total) {
            this.progress = progress;
            this.total = total;
        }

        /**
         * The loop both kinds of run share: each item in turn, with progress before it and a
         * commit when one is due after it; a cancel stops between items. True if stopped.
         */
        <T> boolean over(Iterable<T> items, BooleanSupplier cancelled, Function<T, String> name, Step<T> step)
                throws IOException, RagdeskException {
            for (var item : items) {
                if (cancelled.getAsBoolean()) return true;
                progress.accept(new IndexProgress(done, total, name.apply(item), chunks, embedded, skipped.size(), false));
                step.take(item);
                done++;
                maybeCommit();
            }
            return false;
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
            var updates = new ArrayList<DocumentStore.FileUpdate>(waiting.size());
            for (var w : waiting) {
                var record = w.getKey();
                int n = w.getValue().size();
                var own = record.embedModel().isEmpty() ? null : vectors.subList(next, next + n);
                if (own != null) next += n;
                updates.add(new DocumentStore.FileUpdate(record, w.getValue(), own));
            }
            if (!updates.isEmpty()) store.replace(updates);
            if (embedder != null) {
                embedded += waitingChunks;
                vectorsNote.put(Fields.EMBED_MODEL, embeddings.id());
                vectorsNote.put(Fields.EMBED_NAME, embedder.displayName());
                vectorsNote.put(Fields.EMBED_DIMS, String.valueOf(embedder.dimensions()));
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

        void finish() throws IOException, RagdeskException {
            write();
            commit();
            progress.accept(new IndexProgress(done, total, "", chunks, embedded, skipped.size(), true));
        }
    }

    /** Removes a file, or every file under a folder; returns how many files were removed. */
    public int remove(Path path) throws RagdeskException {
        var key = path.toAbsolutePath().normalize().toString();
        try {
            var real = Files.exists(path) ? path.toRealPath().toString() : key;
            int removed = store.deleteUnder(real);
            commit();
            return removed;
        } catch (IOException e) {
            throw new RagdeskException("cannot remove " + key + " from " + store.where() + ": " + e.getMessage(), e);
        }
    }

    private int removeVanished(Iterable<String> known, Set<Path> seen, List<Path> roots) throws IOException, RagdeskException {
        var seenKeys = new HashSet<String>();
        seen.forEach(p -> seenKeys.add(p.toString()));
        int removed = 0;
        for (var key : known) {
            if (seenKeys.contains(key)) continue;
            boolean underRoot = roots.stream().anyMatch(r -> key.equals(r.toString()) || key.startsWith(r + "/"));
            if (underRoot && !Files.exists(Path.of(key))) {
                store.delete(key);
                removed++;
            }
        }
        return removed;
    }

    private void commit() throws IOException, RagdeskException {
        store.commit(Map.copyOf(vectorsNote));
    }

    @Override
    public void close() throws RagdeskException {
        store.close();
    }
}
