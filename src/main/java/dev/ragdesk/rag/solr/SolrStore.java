package dev.ragdesk.rag.solr;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.rag.Chunk;
import dev.ragdesk.rag.DocumentStore;
import dev.ragdesk.rag.Fields;
import dev.ragdesk.rag.FileRecord;
import org.apache.solr.client.solrj.request.UpdateRequest;
import org.apache.solr.client.solrj.util.ClientUtils;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrInputDocument;
import org.apache.solr.common.params.CursorMarkParams;
import org.apache.solr.common.params.ModifiableSolrParams;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A team's SolrCloud collection as {@link DocumentStore}: the documents of this machine
 * ({@code host}) among everyone's. Solr has no transaction over several documents, so a file is
 * replaced in an order that the next run can always finish: its record as pending (no hash),
 * its chunks (their ids are fixed by host, path and position, so writing them again
 * overwrites), the deletion of chunks beyond its new length, then its record with its hash. A
 * run cut short anywhere leaves a record the next run does not trust, so it writes the file
 * again, or removes it, chunks and all, if the file is gone. Commits are ragdesk's:
 * ({@code openSearcher} stays off in the configset's autoCommit), so searches see whole batches.
 */
public final class SolrStore implements DocumentStore {
    private static final int PAGE = 1000;

    private final SolrCollection collection;
    private final String host;

    private SolrStore(SolrCollection collection, String host) {
        this.collection = collection;
        this.host = host;
    }

    /**
     * Opens the collection for writing as {@code host}, checking first that ragdesk's schema made
     * it and that its vectors have the embed model's {@code dimensions} (0: no vectors are written).
     */
    public static SolrStore open(SolrCollection collection, String host, int dimensions) throws RagdeskException {
        int schemaDims = collection.checkSchema();
        if (dimensions > 0 && schemaDims != dimensions) {
            throw new RagdeskException("the Solr collection " + collection.settings().describe() + " holds vectors of " + schemaDims
                    + " dimensions and the embed model makes " + dimensions + "; use the embed model the collection was made for, "
                    + "or create a collection for this one (a new [solr].collection, then `ragdesk index --backend solr --init`)");
        }
        return new SolrStore(collection, host);
    }

    @Override
    public Snapshot snapshot() {
        return new Snapshot() {
            @Override
            public Map<String, FileRecord> files() throws RagdeskException {
                var files = new HashMap<String, FileRecord>();
                each("read the file records of", mine(Fields.FILE), "", doc -> {
                    var record = SolrDocuments.fileOf(doc);
                    files.put(record.path(), record);
                });
                return files;
            }

            @Override
            public List<Chunk> chunks(String path) throws RagdeskException {
                var params = mine(Fields.CHUNK);
                params.add("fq", term(Fields.PATH, path));
                var chunks = new ArrayList<Chunk>();
                each("read the chunks of " + path + " from", params, Fields.ORDINAL + " asc,", doc -> chunks.add(SolrDocuments.chunkOf(doc)));
                return chunks;
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public void replace(List<FileUpdate> files) throws RagdeskException {
        long now = System.currentTimeMillis();
        begin(files, now);
        writeChunks(files);
        finish(files, now);
    }

    /**
     * Step one: each file's record as pending (no hash). A run that ends before its chunks are
     * vouched for leaves a record that the next run neither trusts (no hash matches) nor loses
     * (a file deleted meanwhile is removed by it, chunks and all).
     */
    void begin(List<FileUpdate> files, long now) throws RagdeskException {
        var pending = new ArrayList<SolrInputDocument>();
        for (var file : files) pending.add(SolrDocuments.file(host, file.record().pending(), now));
        update("index", new UpdateRequest().add(pending));
    }

    /** Step two: the chunks, whose ids (host, path, position) make a rewrite an overwrite. */
    void writeChunks(List<FileUpdate> files) throws RagdeskException {
        var chunks = new ArrayList<SolrInputDocument>();
        for (var file : files) {
            var record = file.record();
            for (int i = 0; i < file.chunks().size(); i++) {
                var vector = file.vectors() == null ? null : file.vectors().get(i);
                chunks.add(SolrDocuments.chunk(host, record.path(), file.chunks().get(i), vector, record.embedModel()));
            }
        }
        if (!chunks.isEmpty()) update("index", new UpdateRequest().add(chunks));
    }

    /** Step three: the chunks past each file's new length go, then its record vouches for the rest. */
    void finish(List<FileUpdate> files, long now) throws RagdeskException {
        var stale = new ArrayList<String>();
        var records = new ArrayList<SolrInputDocument>();
        for (var file : files) {
            var record = file.record();
            stale.add(ofFile(record.path()) + " +" + Fields.KIND + ":" + Fields.CHUNK + " +" + Fields.ORDINAL + ":["
                    + file.chunks().size() + " TO *]");
            records.add(SolrDocuments.file(host, record, now));
        }
        update("index", deleteAll(stale));
        update("index", new UpdateRequest().add(records));
    }

    @Override
    public void delete(String path) throws RagdeskException {
        update("remove " + path + " from", new UpdateRequest().deleteByQuery(ofFile(path)));
    }

    @Override
    public int deleteUnder(String path) throws RagdeskException {
        var folder = path.endsWith("/") ? path : path + "/";
        var under = "+" + SolrConfigset.HOST + ":" + ClientUtils.escapeQueryChars(host) + " +(" + Fields.PATH + ":"
                + ClientUtils.escapeQueryChars(path) + " " + Fields.PATH + ":" + ClientUtils.escapeQueryChars(folder) + "*)";
        var count = new ModifiableSolrParams();
        count.set("q", "+" + Fields.KIND + ":" + Fields.FILE + " " + under);
        count.set("rows", 0);
        int files = (int) collection.query("count the files under " + path + " in", "/select", count).getResults().getNumFound();
        update("remove " + path + " from", new UpdateRequest().deleteByQuery(under));
        return files;
    }

    @Override
    public void commit(Map<String, String> vectors) throws RagdeskException {
        collection.run("commit to", (c, name) -> c.commit(name, true, true));
    }

    @Override
    public String where() {
        return collection.where();
    }

    @Override
    public void close() {
        collection.close();
    }

    private void update(String doing, UpdateRequest request) throws RagdeskException {
        collection.run(doing, (c, name) -> request.process(c, name));
    }

    private static UpdateRequest deleteAll(List<String> queries) {
        var request = new UpdateRequest();
        for (var q : queries) request.deleteByQuery(q);
        return request;
    }

    /** "+host:H +path:P": every document of one of this machine's files. */
    private String ofFile(String path) {
        return "+" + SolrConfigset.HOST + ":" + ClientUtils.escapeQueryChars(host) + " +" + Fields.PATH + ":"
                + ClientUtils.escapeQueryChars(path);
    }

    /** This machine's documents of one kind (chunks or file records). */
    private ModifiableSolrParams mine(String kind) {
        var params = new ModifiableSolrParams();
        params.set("q", "*:*");
        params.add("fq", term(Fields.KIND, kind));
        params.add("fq", term(SolrConfigset.HOST, host));
        params.set("fl", "*");
        params.set("rows", PAGE);
        return params;
    }

    static String term(String field, String value) {
        return "{!term f=" + field + "}" + value;
    }

    /** Every match, page by page with a cursor (stable while others write), sorted by {@code sort} ("field asc," or "") then id. */
    private void each(String doing, ModifiableSolrParams params, String sort, Consumer<SolrDocument> each) throws RagdeskException {
        params.set("sort", sort + SolrConfigset.ID + " asc");
        var cursor = CursorMarkParams.CURSOR_MARK_START;
        while (true) {
            params.set(CursorMarkParams.CURSOR_MARK_PARAM, cursor);
            var response = collection.query(doing, "/select", params);
            response.getResults().forEach(each);
            var next = response.getNextCursorMark();
            if (next == null || next.equals(cursor)) return;
            cursor = next;
        }
    }
}
