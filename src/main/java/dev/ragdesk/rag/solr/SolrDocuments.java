package dev.ragdesk.rag.solr;

import dev.ragdesk.rag.Chunk;
import dev.ragdesk.rag.Fields;
import dev.ragdesk.rag.FileRecord;
import dev.ragdesk.rag.Languages;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.SolrInputDocument;

import java.util.ArrayList;

/**
 * Chunks and file records as Solr documents of {@link SolrConfigset}'s schema, with the fields
 * the local index gives them ({@code Fields.chunk}, {@code Fields.file}): the base text, each
 * detected language's field, the location, the vector with the id of the model that made it;
 * plus the host each came from, since several users and machines index into one collection.
 */
public final class SolrDocuments {
    private SolrDocuments() {}

    /** "chunk:HOST:PATH#N": one chunk of one file of one machine. */
    public static String chunkId(String host, String path, int ordinal) {
        return Fields.CHUNK + ":" + host + ":" + path + "#" + ordinal;
    }

    /** "file:HOST:PATH": the record of one file of one machine. */
    public static String fileId(String host, String path) {
        return Fields.FILE + ":" + host + ":" + path;
    }

    /** @param vector null when the chunk has no vector (no embed model) */
    public static SolrInputDocument chunk(String host, String path, Chunk chunk, float[] vector, String model) {
        var doc = new SolrInputDocument();
        doc.addField(SolrConfigset.ID, chunkId(host, path, chunk.ordinal()));
        doc.addField(SolrConfigset.HOST, host);
        doc.addField(Fields.KIND, Fields.CHUNK);
        doc.addField(Fields.PATH, path);
        doc.addField(Fields.TEXT, chunk.text());
        var langs = Languages.detect(chunk.text());
        for (var lang : langs) doc.addField(lang.field(), chunk.text());
        doc.addField(Fields.LANG, langs.isEmpty() ? "" : langs.iterator().next().code);
        doc.addField(Fields.HEADING, chunk.heading());
        doc.addField(Fields.PAGE, chunk.page());
        doc.addField(Fields.START_LINE, chunk.startLine());
        doc.addField(Fields.END_LINE, chunk.endLine());
        doc.addField(Fields.ORDINAL, chunk.ordinal());
        if (vector != null) {
            var values = new ArrayList<Float>(vector.length);
            for (float v : vector) values.add(v);
            doc.setField(Fields.vector(vector.length), values);
            doc.addField(Fields.EMBED_MODEL, model);
        }
        return doc;
    }

    /** A file's record, stamped with when it was written ({@code status}'s "updated"). */
    public static SolrInputDocument file(String host, FileRecord record, long indexedAtMillis) {
        var doc = new SolrInputDocument();
        doc.addField(SolrConfigset.ID, fileId(host, record.path()));
        doc.addField(SolrConfigset.HOST, host);
        doc.addField(Fields.KIND, Fields.FILE);
        doc.addField(Fields.PATH, record.path());
        doc.addField(Fields.HASH, record.hash());
        doc.addField(Fields.SIZE, record.size());
        doc.addField(Fields.TYPE, record.type());
        doc.addField(Fields.CHUNKS, record.chunks());
        if (!record.skipReason().isEmpty()) {
            doc.addField(Fields.SKIPPED, "yes");
            doc.addField(Fields.SKIP_REASON, record.skipReason());
            doc.addField(Fields.SKIPPED_UNDER, record.skippedUnder());
        }
        if (!record.embedModel().isEmpty()) doc.addField(Fields.EMBED_MODEL, record.embedModel());
        doc.addField(SolrConfigset.INDEXED_AT, indexedAtMillis);
        return doc;
    }

    public static FileRecord fileOf(SolrDocument doc) {
        return new FileRecord(text(doc, Fields.PATH), text(doc, Fields.HASH), number(doc, Fields.SIZE).longValue(),
                text(doc, Fields.TYPE), number(doc, Fields.CHUNKS).intValue(), text(doc, Fields.SKIP_REASON),
                text(doc, Fields.SKIPPED_UNDER), text(doc, Fields.EMBED_MODEL));
    }

    public static Chunk chunkOf(SolrDocument doc) {
        return new Chunk(text(doc, Fields.TEXT), text(doc, Fields.HEADING), number(doc, Fields.PAGE).intValue(),
                number(doc, Fields.START_LINE).intValue(), number(doc, Fields.END_LINE).intValue(), number(doc, Fields.ORDINAL).intValue());
    }

    static String text(SolrDocument doc, String field) {
        var value = doc.getFirstValue(field);
        return value == null ? "" : value.toString();
    }

    static Number number(SolrDocument doc, String field) {
        return doc.getFirstValue(field) instanceof Number n ? n : 0;
    }
}
