package dev.ragdesk.rag.solr;

import dev.ragdesk.rag.Chunk;
import dev.ragdesk.rag.Fields;
import dev.ragdesk.rag.Languages;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chunk as a Solr document of {@link SolrConfigset}'s schema, with the fields the local index
 * gives it ({@code Fields.chunk}): the base text, each detected language's field, the location,
 * and the vector with the id of the model that made it; plus the host it came from, since
 * several users and machines index into one collection.
 */
public final class SolrDocuments {
    private SolrDocuments() {}

    /** "chunk:HOST:PATH#N": one chunk of one file of one machine. */
    public static String chunkId(String host, String path, int ordinal) {
        return Fields.CHUNK + ":" + host + ":" + path + "#" + ordinal;
    }

    /** @param vector null when the chunk has no vector (no embed model) */
    public static Map<String, Object> chunk(String host, String path, Chunk chunk, float[] vector, String model) {
        var doc = new LinkedHashMap<String, Object>();
        doc.put(SolrConfigset.ID, chunkId(host, path, chunk.ordinal()));
        doc.put(SolrConfigset.HOST, host);
        doc.put(Fields.KIND, Fields.CHUNK);
        doc.put(Fields.PATH, path);
        doc.put(Fields.TEXT, chunk.text());
        var langs = Languages.detect(chunk.text());
        for (var lang : langs) doc.put(lang.field(), chunk.text());
        doc.put(Fields.LANG, langs.isEmpty() ? "" : langs.iterator().next().code);
        doc.put(Fields.HEADING, chunk.heading());
        doc.put(Fields.PAGE, chunk.page());
        doc.put(Fields.START_LINE, chunk.startLine());
        doc.put(Fields.END_LINE, chunk.endLine());
        doc.put(Fields.ORDINAL, chunk.ordinal());
        if (vector != null) {
            var values = new ArrayList<Float>(vector.length);
            for (float v : vector) values.add(v);
            doc.put(Fields.vector(vector.length), List.copyOf(values));
            doc.put(Fields.EMBED_MODEL, model);
        }
        return doc;
    }
}
