package dev.ragdesk.rag.solr;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.rag.Chunk;
import dev.ragdesk.rag.Fields;
import dev.ragdesk.rag.Fusion;
import dev.ragdesk.rag.IndexStatus;
import dev.ragdesk.rag.Languages;
import dev.ragdesk.rag.RetrievalPlans;
import dev.ragdesk.rag.SearchBackend;
import dev.ragdesk.rag.SearchHit;
import dev.ragdesk.rag.VectorCounts;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.solr.client.solrj.response.TermsResponse;
import org.apache.solr.common.SolrDocument;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.apache.solr.common.params.SolrParams;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Searches a team's SolrCloud collection as {@code Retriever} searches the local index: the same
 * BM25 query across the same fields ({@link SolrQueries}, analysed by the same analyzers), the
 * same kNN filtered on the embed model's id, the same reciprocal-rank {@link Fusion} (on this
 * side: Solr 9 has none), the same plans and the same excerpts. Solr scores BM25 with the whole
 * collection's statistics (the configset's ExactStatsCache), so its scores are the local index's.
 */
public final class SolrRetriever implements SearchBackend {
    private final SolrCollection collection;
    private final Config.Retrieval settings;
    private final Embeddings embeddings;
    private final RetrievalPlans plans;
    /** The analysis the collection's schema names, field by field: a long question's terms are Solr's own. */
    private final Analyzer analyzers = Languages.perField();
    /** The schema's vector size, read once: it is fixed when the collection is made. */
    private volatile Integer schemaDims;

    public SolrRetriever(SolrCollection collection, Config.Retrieval settings, Embeddings embeddings) {
        this.collection = collection;
        this.settings = settings;
        this.embeddings = embeddings;
        this.plans = new RetrievalPlans(settings, embeddings);
    }

    @Override
    public String where() {
        return collection.where();
    }

    @Override
    public boolean isEmpty() throws RagdeskException {
        return count("search", Fields.KIND + ":" + Fields.CHUNK) == 0;
    }

    @Override
    public Result search(String queryText, int topK) throws RagdeskException {
        return search(queryText, topK, settings.mode());
    }

    @Override
    public Result search(String queryText, int topK, String requested) throws RagdeskException {
        try {
            var plan = plans.plan(requested, this::vectors);
            boolean fused = plan.mode().equals(HYBRID);
            int depth = fused ? Math.max(topK, settings.candidates()) : topK;
            var words = words(queryText, depth);
            var ids = new ArrayList<String>();
            var rankings = new ArrayList<Fusion.Ranking>();
            var scores = new HashMap<Integer, Float>();
            if (!plan.mode().equals(VECTOR) && words != null) {
                rankings.add(ranking(BM25, settings.bm25Weight(), query("search", words), ids, scores));
            }
            if (!plan.mode().equals(BM25)) {
                var embedder = embeddings.get();
                var nearest = SolrQueries.nearest(embedder.query(queryText), embeddings.id(), depth);
                rankings.add(ranking(VECTOR, settings.vectorWeight(), query("search", nearest), ids, scores));
            }
            var top = Fusion.reciprocalRank(rankings, settings.rrfK(), topK);
            return new Result(hits(top, ids, words, fused ? null : scores), plan);
        } catch (IOException e) {
            throw new RagdeskException("cannot search " + where() + ": " + e.getMessage(), e);
        }
    }

    /** The ids a ranking returned, as the positions in {@code ids} that {@link Fusion} ranks. */
    private static Fusion.Ranking ranking(String name, double weight, List<SolrDocument> docs, List<String> ids,
                                          Map<Integer, Float> scores) {
        var items = new ArrayList<Integer>(docs.size());
        for (var doc : docs) {
            var id = (String) doc.getFirstValue(SolrConfigset.ID);
            int item = ids.indexOf(id);
            if (item < 0) {
                item = ids.size();
                ids.add(id);
            }
            items.add(item);
            scores.putIfAbsent(item, ((Number) doc.getFirstValue("score")).floatValue());
        }
        return new Fusion.Ranking(name, weight, items);
    }

    private List<SearchHit> hits(List<Fusion.Fused> top, List<String> ids, Map<String, List<String>> words,
                                 Map<Integer, Float> rawScores) throws RagdeskException {
        if (top.isEmpty()) return List.of();
        var wanted = top.stream().map(f -> ids.get(f.item())).toList();
        var response = collection.query("search", "/select", params(SolrQueries.fetch(wanted, words)));
        var byId = new HashMap<String, SolrDocument>();
        for (var doc : response.getResults()) byId.put((String) doc.getFirstValue(SolrConfigset.ID), doc);
        var highlights = response.getHighlighting() == null ? Map.<String, Map<String, List<String>>>of() : response.getHighlighting();
        var hits = new ArrayList<SearchHit>();
        for (var fused : top) {
            var id = ids.get(fused.item());
            var doc = byId.get(id);
            if (doc == null) continue; // removed between the ranking and the fetch
            var chunk = SolrDocuments.chunkOf(doc);
            var marked = highlights.getOrDefault(id, Map.of()).get(Fields.TEXT);
            var excerpt = marked == null || marked.isEmpty() ? firstWords(chunk.text()) : String.join(" … ", marked);
            float score = rawScores == null ? (float) fused.score() : rawScores.get(fused.item());
            hits.add(new SearchHit(hits.size() + 1, score, SolrDocuments.text(doc, Fields.PATH), chunk.location(), chunk.heading(),
                    excerpt.replaceAll("\\s+", " ").strip(), chunk.text(), chunk.page(), chunk.startLine(), chunk.endLine(),
                    fused.ranks()));
        }
        return hits;
    }

    /**
     * The BM25 request for {@code question}: its words as they are, or for a long question (a
     * pasted page) each field's {@value #MAX_QUERY_TERMS} rarest terms in the collection, the ones
     * that tell passages apart, as the local index keeps them. Null when nothing is searchable.
     */
    private Map<String, List<String>> words(String question, int rows) throws RagdeskException, IOException {
        var fields = new ArrayList<String>();
        fields.add(Fields.TEXT);
        for (var lang : Languages.detect(question)) fields.add(lang.field());
        var tokens = new LinkedHashMap<String, List<Token>>();
        boolean any = false;
        for (var field : fields) {
            var list = tokens(field, question);
            tokens.put(field, list);
            any |= !list.isEmpty();
        }
        if (!any) return null;
        var queries = new LinkedHashMap<String, String>();
        for (var field : tokens.entrySet()) {
            if (field.getValue().size() <= MAX_QUERY_TERMS) {
                queries.put(field.getKey(), SolrQueries.words(question));
                continue;
            }
            var words = rarest(field.getKey(), field.getValue());
            if (!words.isEmpty()) queries.put(field.getKey(), SolrQueries.weighted(words));
        }
        return queries.isEmpty() ? null : SolrQueries.bm25Fields(queries, rows);
    }

    /** Most distinct terms one field's query keeps, as the local index ({@code Retriever}). */
    static final int MAX_QUERY_TERMS = 64;

    /** A term of the question, and the words it came from. */
    private record Token(String term, String word) {}

    private List<Token> tokens(String field, String text) throws IOException {
        var tokens = new ArrayList<Token>();
        try (var stream = analyzers.tokenStream(field, text)) {
            var term = stream.addAttribute(CharTermAttribute.class);
            var offsets = stream.addAttribute(OffsetAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                tokens.add(new Token(term.toString(), text.substring(offsets.startOffset(), offsets.endOffset())));
            }
            stream.end();
        }
        return tokens;
    }

    /**
     * A word for each of the field's {@value #MAX_QUERY_TERMS} rarest terms in the collection
     * (ties by term), with how often the question uses the term: Solr analyses the word again
     * into that term.
     */
    private List<SolrQueries.Word> rarest(String field, List<Token> tokens) throws RagdeskException {
        var words = new LinkedHashMap<String, String>();
        var uses = new HashMap<String, Integer>();
        for (var token : tokens) {
            words.putIfAbsent(token.term(), token.word());
            uses.merge(token.term(), 1, Integer::sum);
        }
        var params = new ModifiableSolrParams();
        params.set("terms.fl", field);
        // the list is split at commas; a backslash keeps one in a term ("8,849")
        params.set("terms.list", String.join(",", words.keySet().stream().map(t -> t.replace("\\", "\\\\").replace(",", "\\,")).toList()));
        params.set("terms.limit", -1);
        var response = collection.query("search", "/terms", params);
        var counts = response.getTermsResponse() == null ? List.<TermsResponse.Term>of()
                : response.getTermsResponse().getTerms(field);
        var docFreq = new HashMap<String, Long>();
        if (counts != null) for (var t : counts) if (t.getFrequency() > 0) docFreq.put(t.getTerm(), t.getFrequency());
        var kept = docFreq.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.naturalOrder())))
                .limit(MAX_QUERY_TERMS).map(Map.Entry::getKey).collect(Collectors.toSet());
        var chosen = new ArrayList<SolrQueries.Word>();
        for (var entry : words.entrySet()) {
            if (kept.contains(entry.getKey())) chosen.add(new SolrQueries.Word(entry.getValue(), uses.get(entry.getKey())));
        }
        return chosen;
    }

    private List<SolrDocument> query(String doing, Map<String, List<String>> request) throws RagdeskException {
        return collection.query(doing, "/select", params(request)).getResults();
    }

    private static SolrParams params(Map<String, List<String>> request) {
        var params = new ModifiableSolrParams();
        request.forEach((name, values) -> params.set(name, values.toArray(String[]::new)));
        return params;
    }

    private long count(String doing, String... filters) throws RagdeskException {
        var params = new ModifiableSolrParams();
        params.set("q", "*:*");
        for (var fq : filters) params.add("fq", fq);
        params.set("rows", 0);
        return collection.query(doing, "/select", params).getResults().getNumFound();
    }

    /** Counted at each search, in one request: the collection is shared, and others index into it. */
    private VectorCounts vectors() throws RagdeskException {
        var params = new ModifiableSolrParams();
        params.set("q", "*:*");
        params.set("fq", Fields.KIND + ":" + Fields.CHUNK);
        params.set("rows", 0);
        params.set("facet", true);
        params.set("facet.field", Fields.EMBED_MODEL); // the model that embedded the most chunks, for the message when it is not ours
        params.set("facet.limit", 1);
        params.set("facet.mincount", 1);
        var current = SolrStore.term(Fields.EMBED_MODEL, embeddings.id());
        params.set("facet.query", current);
        var response = collection.query("search", "/select", params);
        int chunks = (int) response.getResults().getNumFound();
        int mine = response.getFacetQuery() == null ? 0 : response.getFacetQuery().getOrDefault(current, 0);
        var facet = response.getFacetField(Fields.EMBED_MODEL);
        var last = facet != null && facet.getValueCount() > 0 ? facet.getValues().get(0).getName() : "";
        return new VectorCounts(chunks, mine, last, last.isEmpty() ? 0 : dims());
    }

    private int dims() throws RagdeskException {
        var known = schemaDims;
        if (known == null) schemaDims = known = collection.checkSchema();
        return known;
    }

    @Override
    public String describeRetrieval() {
        try {
            return plans.describe(this::vectors);
        } catch (IOException e) {
            return "cannot tell: " + e.getMessage();
        }
    }

    @Override
    public IndexStatus status() throws RagdeskException {
        var name = collection.settings().collection();
        try {
            dims(); // a collection made by something else is named before its counts are
        } catch (SolrCollection.MissingCollection e) {
            return IndexStatus.none(Config.Retrieval.SOLR, name, where());
        }
        var file = Fields.KIND + ":" + Fields.FILE;
        int files = (int) count("read", file);
        int skipped = (int) count("read", file, Fields.SKIPPED + ":yes");
        var v = vectors();
        var newest = new ModifiableSolrParams();
        newest.set("q", file);
        newest.set("sort", SolrConfigset.INDEXED_AT + " desc");
        newest.set("rows", 1);
        newest.set("fl", SolrConfigset.INDEXED_AT);
        var docs = collection.query("read", "/select", newest).getResults();
        var updated = docs.isEmpty() ? "" : Instant.ofEpochMilli(SolrDocuments.number(docs.get(0), SolrConfigset.INDEXED_AT).longValue()).toString();
        String retrieval;
        try {
            retrieval = plans.describe(() -> v); // the counts just taken, not a second request for them
        } catch (IOException e) {
            retrieval = "cannot tell: " + e.getMessage();
        }
        return new IndexStatus(true, files - skipped, skipped, v.chunks(), 0, updated, v.current(), v.lastModel(),
                v.lastDims(), retrieval, Config.Retrieval.SOLR, name, where());
    }

    private static String firstWords(String text) {
        return text.length() <= 240 ? text : text.substring(0, 240) + " …";
    }

    @Override
    public void close() {
        analyzers.close();
        collection.close();
    }
}
