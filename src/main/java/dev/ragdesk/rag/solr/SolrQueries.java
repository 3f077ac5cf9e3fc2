package dev.ragdesk.rag.solr;

import dev.ragdesk.rag.Fields;
import dev.ragdesk.rag.Languages;
import dev.ragdesk.rag.Retriever;
import org.apache.solr.client.solrj.util.ClientUtils;

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
        var texts = new LinkedHashMap<String, String>();
        texts.put(Fields.TEXT, words(question));
        for (var lang : Languages.detect(question)) texts.put(lang.field(), words(question));
        return bm25Fields(texts, rows);
    }

    /** A question as words to search for, none of them an operator. */
    public static String words(String question) {
        return escape(question.toLowerCase(Locale.ROOT));
    }

    /** A word of a long question, and how many times the question uses its term: Lucene's weight for it is 1 + ln(uses). */
    public record Word(String word, int uses) {
        String clause() {
            var escaped = escape(word.toLowerCase(Locale.ROOT));
            return uses > 1 ? "(" + escaped + ")^" + (float) (1 + Math.log(uses)) : escaped;
        }
    }

    /** A long question's kept words, weighted as the local index weighs them. */
    public static String weighted(List<Word> words) {
        var clauses = new StringJoiner(" ");
        for (var w : words) clauses.add(w.clause());
        return clauses.toString();
    }

    /**
     * The BM25 search of each field for its own query (escaped words, perhaps weighted): the base
     * field ({@link Fields#TEXT}) at full weight, the others (stemmed) at
     * {@link Retriever#LANGUAGE_FIELD_BOOST}.
     */
    public static Map<String, List<String>> bm25Fields(Map<String, String> queryByField, int rows) {
        var params = new LinkedHashMap<String, List<String>>();
        var bool = new StringJoiner(" ", "{!bool ", "}");
        queryByField.forEach((field, escaped) -> {
            var clause = "{!lucene df=" + field + " q.op=OR sow=false}" + (field.equals(Fields.TEXT) ? escaped
                    : "(" + escaped + ")^" + Retriever.LANGUAGE_FIELD_BOOST);
            params.put("q_" + field, List.of(clause));
            bool.add("should=$q_" + field);
        });
        params.put("q", List.of(bool.toString()));
        params.put("fq", List.of(Fields.KIND + ":" + Fields.CHUNK));
        params.put("rows", List.of(String.valueOf(rows)));
        params.put("fl", List.of(SolrConfigset.ID + ",score"));
        return params;
    }

    /**
     * The chunks {@code ids} with what a hit shows, and excerpts cut as the local index cuts them
     * (the unified highlighter, sentence passages, the two best, words marked with **), with the
     * words of {@code bm25} wherever they occur: a chunk found only by meaning still gets its
     * best sentences. No excerpt when no word matches; the hit then shows its opening.
     */
    public static Map<String, List<String>> fetch(List<String> ids, Map<String, List<String>> bm25) {
        var params = new LinkedHashMap<String, List<String>>();
        var any = new StringJoiner(" ", SolrConfigset.ID + ":(", ")");
        for (var id : ids) any.add(ClientUtils.escapeQueryChars(id));
        params.put("q", List.of(any.toString()));
        params.put("rows", List.of(String.valueOf(ids.size())));
        params.put("fl", List.of(String.join(",", SolrConfigset.ID, Fields.PATH, Fields.TEXT, Fields.HEADING, Fields.PAGE,
                Fields.START_LINE, Fields.END_LINE, Fields.ORDINAL)));
        if (bm25 != null) {
            bm25.forEach((name, values) -> {
                if (name.startsWith("q_")) params.put(name, values);
            });
            params.put("hl", List.of("true"));
            params.put("hl.method", List.of("unified"));
            params.put("hl.fl", List.of(Fields.TEXT));
            params.put("hl.q", bm25.get("q"));
            params.put("hl.snippets", List.of("2"));
            params.put("hl.fragsize", List.of("0"));
            params.put("hl.bs.type", List.of("SENTENCE"));
            params.put("hl.tag.pre", List.of("**"));
            params.put("hl.tag.post", List.of("**"));
            params.put("hl.tag.ellipsis", List.of(" … "));
            params.put("hl.defaultSummary", List.of("false"));
            params.put("hl.maxAnalyzedChars", List.of("20000"));
            params.put("hl.requireFieldMatch", List.of("true"));
        }
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
        params.put("fl", List.of(SolrConfigset.ID + ",score"));
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
