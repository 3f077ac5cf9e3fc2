package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PrefixQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.LockObtainFailedException;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * This workspace's index folder. One file's chunks and record are replaced in one
 * {@code updateDocuments} call, so a commit never holds half a file. Vectors are scalar-quantised
 * HNSW ({@link QuantisedVectorsCodec}), a quarter of the memory of float vectors; which model made
 * the last ones is kept in the commit's user data.
 */
final class LuceneStore implements DocumentStore {
    private final Path dir;
    private final Directory directory;
    private final IndexWriter writer;
    /** What the last commit says about the vectors: kept across commits that embed nothing. */
    private final Map<String, String> commitData = new HashMap<>();

    private LuceneStore(Path dir, Directory directory, IndexWriter writer) {
        this.dir = dir;
        this.directory = directory;
        this.writer = writer;
    }

    /** Opens (or creates) the index for writing; one writer at a time, across processes too. */
    static LuceneStore open(Path dir, UnaryOperator<Directory> around) throws RagdeskException {
        Documents.requireFolder(dir);
        try {
            var directory = around.apply(PrivateDirectory.open(dir));
            var config = new IndexWriterConfig(Languages.perField())
                    .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
                    .setCodec(new QuantisedVectorsCodec())
                    .setRAMBufferSizeMB(64)
                    .setCommitOnClose(true);
            var store = new LuceneStore(dir, directory, new IndexWriter(directory, config));
            if (DirectoryReader.indexExists(directory)) {
                try (var reader = DirectoryReader.open(directory)) {
                    store.commitData.putAll(reader.getIndexCommit().getUserData());
                }
            }
            return store;
        } catch (LockObtainFailedException e) {
            throw new RagdeskException("the index in " + dir + " is being updated by another ragdesk process; "
                    + "wait for it to finish, or stop it", e);
        } catch (IOException e) {
            throw Documents.unreadable(dir, e);
        }
    }

    @Override
    public Snapshot snapshot() throws IOException {
        var reader = DirectoryReader.open(writer);
        var searcher = new IndexSearcher(reader);
        return new Snapshot() {
            @Override
            public Map<String, FileRecord> files() throws RagdeskException {
                var map = new HashMap<String, FileRecord>();
                try {
                    var hits = searcher.search(new TermQuery(new Term(Fields.KIND, Fields.FILE)), Math.max(1, reader.maxDoc()));
                    var stored = searcher.storedFields();
                    for (var hit : hits.scoreDocs) {
                        var record = Fields.fileOf(stored.document(hit.doc));
                        map.put(record.path(), record);
                    }
                    return map;
                } catch (IOException e) {
                    throw Documents.unreadable(dir, e);
                }
            }

            @Override
            public List<Chunk> chunks(String path) throws IOException {
                var query = new BooleanQuery.Builder()
                        .add(new TermQuery(new Term(Fields.PATH, path)), BooleanClause.Occur.FILTER)
                        .add(new TermQuery(new Term(Fields.KIND, Fields.CHUNK)), BooleanClause.Occur.FILTER)
                        .build();
                var hits = searcher.search(query, Math.max(1, reader.maxDoc()));
                var stored = searcher.storedFields();
                var chunks = new ArrayList<Chunk>();
                for (var hit : hits.scoreDocs) chunks.add(Fields.chunkOf(stored.document(hit.doc)));
                chunks.sort(Comparator.comparingInt(Chunk::ordinal));
                return chunks;
            }

            @Override
            public void close() throws IOException {
                reader.close();
            }
        };
    }

    @Override
    public void replace(List<FileUpdate> files) throws IOException {
        for (var file : files) {
            var record = file.record();
            var docs = new ArrayList<Document>();
            for (int i = 0; i < file.chunks().size(); i++) {
                var doc = Fields.chunk(record.path(), file.chunks().get(i));
                if (file.vectors() != null) Fields.addVector(doc, file.vectors().get(i), record.embedModel());
                docs.add(doc);
            }
            docs.add(Fields.file(record));
            writer.updateDocuments(new Term(Fields.PATH, record.path()), docs);
        }
    }

    @Override
    public void delete(String path) throws IOException {
        writer.deleteDocuments(new Term(Fields.PATH, path));
    }

    @Override
    public int deleteUnder(String path) throws IOException {
        int before = countFiles();
        var query = new BooleanQuery.Builder()
                .add(new TermQuery(new Term(Fields.PATH, path)), BooleanClause.Occur.SHOULD)
                .add(new PrefixQuery(new Term(Fields.PATH, path.endsWith("/") ? path : path + "/")), BooleanClause.Occur.SHOULD)
                .build();
        writer.deleteDocuments(query);
        return before - countFiles(); // the near-real-time reader sees the deletion before any commit
    }

    private int countFiles() throws IOException {
        try (var reader = DirectoryReader.open(writer)) {
            return new IndexSearcher(reader).count(new TermQuery(new Term(Fields.KIND, Fields.FILE)));
        }
    }

    @Override
    public void commit(Map<String, String> vectors) throws IOException {
        commitData.putAll(vectors);
        commitData.put("updated", Instant.now().toString());
        writer.setLiveCommitData(Map.copyOf(commitData).entrySet());
        writer.commit();
    }

    @Override
    public String where() {
        return "the index in " + dir;
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
