package dev.ragdesk.rag.solr;

import dev.ragdesk.rag.Fields;
import dev.ragdesk.rag.Languages;
import dev.ragdesk.rag.Retriever;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The local index's queries as Solr request parameters, clause for clause, so that both
 * backends rank alike: BM25 over the base field and, boosted, each detected language's stemmed
 * field, summed (Lucene's BooleanQuery of SHOULD clauses), on chunks only; and the k nearest
 * chunks to a vector among those embedded by the same model. Solr analyses the question itself
 * with the same analyzers ({@link SolrConfigset}). A question is lower-cased before it is
 * escaped (every field folds case anyway), so that no word of it is read as an operator.
 */
public final class SolrQueries {
    private SolrQueries() {}

    /** The BM25 search for {@code question}, its {@code rows} best chunks. */
    public static Map<String, List<String>> bm25(String question, int rows) {
        var params = new LinkedHashMap<String, List<String>>();
        var escaped = escape(question.toLowerCase(Locale.ROOT));
        var should = new ArrayList<String>();
        params.put("q_" + Fields.TEXT, List.of("{!lucene df=" + Fields.TEXT + " q.op=OR sow=false}" + escaped));
        should.add("$q_" + Fields.TEXT);
        for (var lang : Languages.detect(question)) {
            params.put("q_" + lang.field(), List.of("{!lucene df=" + lang.field() + " q.op=OR sow=false}(" + escaped + ")^"
                    + Retriever.LANGUAGE_FIELD_BOOST));
            should.add("$q_" + lang.field());
        }
        var bool = new StringJoiner(" ", "{!bool ", "}");
        for (var clause : should) bool.add("should=" + clause);
        params.put("q", List.of(bool.toString()));
        params.put("fq", List.of(Fields.KIND + ":" + Fields.CHUNK));
        params.put("rows", List.of(String.valueOf(rows)));
        params.put("fl", List.of(SolrConfigset.ID + "," + Fields.PATH + "," + Fields.ORDINAL + ",score"));
        return params;
    }

    /** The {@code k} chunks nearest {@code vector} among those that {@code model} embedded (each shard finds its k; Solr merges). */
    public static Map<String, List<String>> nearest(float[] vector, String model, int k) {
        var values = new StringJoiner(",", "[", "]");
        for (float v : vector) values.add(Float.toString(v));
        var params = new LinkedHashMap<String, List<String>>();
        params.put("q", List.of("{!knn f=" + Fields.vector(vector.length) + " topK=" + k + "}" + values));
        params.put("fq", List.of(Fields.KIND + ":" + Fields.CHUNK, "{!term f=" + Fields.EMBED_MODEL + "}" + model));
        params.put("rows", List.of(String.valueOf(k)));
        params.put("fl", List.of(SolrConfigset.ID + "," + Fields.PATH + "," + Fields.ORDINAL + ",score"));
        return params;
    }

    /** Lucene query syntax's special characters, backslash-escaped; whitespace stays, so the words stay words. */
    static String escape(String text) {
        var out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ("\\+-!():^[]\"{}~*?|&;/".indexOf(c) >= 0) out.append('\\');
            out.append(c);
        }
        return out.toString();
    }
}
