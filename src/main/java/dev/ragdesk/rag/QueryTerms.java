package dev.ragdesk.rag;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.util.QueryBuilder;

import java.io.IOException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One field's query for a question of any length. A question of ordinary length is taken
 * word for word; a long one (a pasted page) keeps its rarest terms in the index, which are the
 * ones that tell passages apart, each weighted by how often the question uses it.
 */
final class QueryTerms {
    private QueryTerms() {}

    /** Null when the text has no searchable term in this field. */
    static Query query(Analyzer analyzer, String field, String text, IndexReader reader, int maxTerms) throws IOException {
        var counts = new LinkedHashMap<String, Integer>();
        int tokens = 0;
        try (var stream = analyzer.tokenStream(field, text)) {
            var term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                counts.merge(term.toString(), 1, Integer::sum);
                tokens++;
            }
            stream.end();
        }
        if (counts.isEmpty()) return null;
        if (tokens <= maxTerms) return new QueryBuilder(analyzer).createBooleanQuery(field, text);
        var docFreq = new LinkedHashMap<String, Integer>();
        for (var t : counts.keySet()) {
            int df = reader.docFreq(new Term(field, t));
            if (df > 0) docFreq.put(t, df);
        }
        if (docFreq.isEmpty()) return null;
        var query = new BooleanQuery.Builder();
        docFreq.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.naturalOrder())))
                .limit(maxTerms)
                .forEach(e -> {
                    Query q = new TermQuery(new Term(field, e.getKey()));
                    int uses = counts.get(e.getKey());
                    query.add(uses > 1 ? new BoostQuery(q, (float) (1 + Math.log(uses))) : q, BooleanClause.Occur.SHOULD);
                });
        return query.build();
    }
}
