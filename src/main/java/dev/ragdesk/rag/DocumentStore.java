package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where {@link DocumentIndex} keeps what it indexed: this workspace's Lucene folder
 * ({@link LuceneStore}) or a team's SolrCloud collection ({@code rag.solr.SolrStore}). The
 * indexing rules (content hashes, removals, vectors named by their model, commits in batches)
 * live once, in {@link DocumentIndex}; a store only reads, replaces and commits.
 */
public interface DocumentStore extends AutoCloseable {

    /** One file to write: its chunks, their vectors (null when its record names no model), then its record. */
    record FileUpdate(FileRecord record, List<Chunk> chunks, List<float[]> vectors) {}

    /** What was indexed when a run began: it reads from this while it writes. */
    interface Snapshot extends AutoCloseable {
        /** path → the record of every file this machine indexed. */
        Map<String, FileRecord> files() throws IOException, RagdeskException;

        /** A file's chunks as stored, in document order. */
        List<Chunk> chunks(String path) throws IOException, RagdeskException;

        @Override
        void close() throws IOException;
    }

    Snapshot snapshot() throws IOException, RagdeskException;

    /**
     * Replaces each file's chunks and record. A file's record is written after its chunks, so a
     * run cut short never leaves a record that vouches for chunks not written: the next run sees
     * the old record's hash (or none) and writes the file again.
     */
    void replace(List<FileUpdate> files) throws IOException, RagdeskException;

    /** Removes one file's chunks and record. */
    void delete(String path) throws IOException, RagdeskException;

    /** Removes a file, or every file under a folder (durable at the next commit); returns how many files went. */
    int deleteUnder(String path) throws IOException, RagdeskException;

    /** Makes everything written so far durable and searchable. {@code vectors}: which model made the last vectors. */
    void commit(Map<String, String> vectors) throws IOException, RagdeskException;

    /** "lucene index /home/me/ws/index", "solr collection …": for messages. */
    String where();

    @Override
    void close() throws RagdeskException;
}
