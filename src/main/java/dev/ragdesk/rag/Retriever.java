package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.embed.Embeddings;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TotalHits;
import org.apache.lucene.search.uhighlight.DefaultPassageFormatter;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.store.Directory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ranks passages by words (BM25 across the base field and the stemmed field of each language
 * the query is written in), by meaning (kNN over the embed model's vectors), or both fused by
 * reciprocal rank, and cuts a highlighted excerpt from each hit. Reads the last commit and
 * refreshes before each search, so it works while another thread or process indexes.
 */
public final class Retriever implements SearchBackend {
    /** Stemmed fields count a little less than the base field: an exact form should win. */
    public static final float LANGUAGE_FIELD_BOOST = 0.7f;

    private final Path dir;
    private final Config.Retrieval settings;
    private final Embeddings embeddings;
    private final RetrievalPlans plans;
    private final Analyzer baseAnalyzer = Languages.base();
    private Directory directory;
    private SearcherManager searchers;

    /** BM25 only. */
    public Retriever(Path dir) {
        this(dir, Config.DEFAULTS.retrieval(), Embeddings.none());
    }

    public Retriever(Path dir, Config.Retrieval settings, Embeddings embeddings) {
        this.dir = dir;
        this.settings = settings;
        this.embeddings = embeddings;
        this.plans = new RetrievalPlans(settings, embeddings);
    }

    @Override
    public String where() {
        return "lucene index " + dir;
    }

    /** Most distinct terms one field's query keeps; Lucene refuses more than 1024 clauses in all. */
    static final int MAX_QUERY_TERMS = 64;

    @Override
    public boolean isEmpty() throws RagdeskException {
        Documents.requireFolder(dir);
        try {
            var manager = searchers();
            if (manager == null) return true;
            manager.maybeRefreshBlocking(); // another process may have indexed since this one opened
            var searcher = manager.acquire();
            try {
                return searcher.count(new TermQuery(new Term(Fields.KIND, Fields.CHUNK))) == 0;
            } finally {
                manager.release(searcher);
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    @Override
    public Result search(String queryText, int topK) throws RagdeskException {
        return search(queryText, topK, settings.mode());
    }

    @Override
    public Result search(String queryText, int topK, String requested) throws RagdeskException {
        Documents.requireFolder(dir);
        try {
            var manager = searchers();
            if (manager == null) return new Result(List.of(), plans.empty(requested));
            manager.maybeRefreshBlocking();
            var searcher = manager.acquire();
            try {
                var plan = plans.plan(requested, () -> vectors(searcher));
                var words = query(queryText, searcher.getIndexReader());
                boolean fused = plan.mode().equals(HYBRID);
                int depth = fused ? Math.max(topK, settings.candidates()) : topK;
                var rankings = new ArrayList<Fusion.Ranking>();
                var scores = new HashMap<Integer, Float>();
                if (!plan.mode().equals(VECTOR) && words != null) {
                    rankings.add(ranking(BM25, settings.bm25Weight(), searcher.search(words, depth), scores));
                }
                if (!plan.mode().equals(BM25)) {
                    var embedder = embeddings.get();
                    var knn = new KnnFloatVectorQuery(Fields.vector(embedder.dimensions()), embedder.query(queryText), depth,
                            withVectorsOf(embeddings.id()));
                    rankings.add(ranking(VECTOR, settings.vectorWeight(), searcher.search(knn, depth), scores));
                }
                var fusedHits = Fusion.reciprocalRank(rankings, settings.rrfK(), topK);
                return new Result(hits(searcher, words, fusedHits, fused ? null : scores), plan);
            } finally {
                manager.release(searcher);
            }
        } catch (IOException e) {
            throw unreadable(e);
        } catch (IndexSearcher.TooManyClauses e) {
            throw new RagdeskException("the query is too long to search; shorten it", e);
        }
    }

    private static Fusion.Ranking ranking(String name, double weight, TopDocs top, Map<Integer, Float> scores) {
        var ids = new ArrayList<Integer>(top.scoreDocs.length);
        for (var d : top.scoreDocs) {
            ids.add(d.doc);
            scores.putIfAbsent(d.doc, d.score);
        }
        return new Fusion.Ranking(name, weight, ids);
    }

    /** Chunks whose vectors came from the embed model {@code id}: another model's vectors live in another space. */
    private static Query withVectorsOf(String id) {
        return new BooleanQuery.Builder()
                .add(new TermQuery(new Term(Fields.KIND, Fields.CHUNK)), BooleanClause.Occur.FILTER)
                .add(new TermQuery(new Term(Fields.EMBED_MODEL, id)), BooleanClause.Occur.FILTER)
                .build();
    }

    /**
     * Stored fields and excerpts for the fused list. Excerpts are cut with the query's words
     * wherever they occur, so a passage found only by meaning still gets its best sentences
     * (marked where a word matches, the passage's opening otherwise). {@code rawScores}: each
     * hit's own list score for a single-list search; null to report the fused score.
     */
    private List<SearchHit> hits(IndexSearcher searcher, Query words, List<Fusion.Fused> fused,
                                 Map<Integer, Float> rawScores) throws IOException {
        if (fused.isEmpty()) return List.of();
        var docs = new ScoreDoc[fused.size()];
        for (int i = 0; i < docs.length; i++) docs[i] = new ScoreDoc(fused.get(i).item(), (float) fused.get(i).score());
        String[] excerpts = new String[docs.length];
        if (words != null) {
            var highlighter = UnifiedHighlighter.builder(searcher, baseAnalyzer)
                    .withFormatter(new DefaultPassageFormatter("**", "**", " … ", false))
                    .withMaxLength(20_000)
                    .build();
            excerpts = highlighter.highlight(Fields.TEXT, words, new TopDocs(new TotalHits(docs.length, TotalHits.Relation.EQUAL_TO), docs), 2);
        }
        var stored = searcher.storedFields();
        var hits = new ArrayList<SearchHit>();
        for (int i = 0; i < docs.length; i++) {
            var doc = stored.document(docs[i].doc);
            int page = doc.getField(Fields.PAGE).numericValue().intValue();
            int start = doc.getField(Fields.START_LINE).numericValue().intValue();
            int end = doc.getField(Fields.END_LINE).numericValue().intValue();
            var chunk = new Chunk(doc.get(Fields.TEXT), doc.get(Fields.HEADING), page, start, end, 0);
            var excerpt = excerpts[i] != null ? excerpts[i] : firstWords(chunk.text());
            float score = rawScores == null ? docs[i].score : rawScores.get(docs[i].doc);
            hits.add(new SearchHit(i + 1, score, doc.get(Fields.PATH), chunk.location(), chunk.heading(),
                    excerpt.replaceAll("\\s+", " ").strip(), chunk.text(), page, start, end, fused.get(i).ranks()));
        }
        return hits;
    }

    /** The vector counts of one reader: they change only when a refresh brings a new reader. */
    private record CountedOn(IndexReader reader, VectorCounts vectors) {}

    /** Counting costs a pass over every chunk; a search reuses the count while the reader is the same. */
    private volatile CountedOn counted;

    private VectorCounts vectors(IndexSearcher searcher) throws IOException {
        var last = counted;
        if (last != null && last.reader() == searcher.getIndexReader()) return last.vectors();
        var v = countVectors(searcher);
        counted = new CountedOn(searcher.getIndexReader(), v);
        return v;
    }

    private VectorCounts countVectors(IndexSearcher searcher) throws IOException {
        int chunks = searcher.count(new TermQuery(new Term(Fields.KIND, Fields.CHUNK)));
        int current = embeddings.available() ? searcher.count(withVectorsOf(embeddings.id())) : 0;
        var data = ((DirectoryReader) searcher.getIndexReader()).getIndexCommit().getUserData();
        int dims = 0;
        try {
            dims = Integer.parseInt(data.getOrDefault(Fields.EMBED_DIMS, "0"));
        } catch (NumberFormatException e) {
            // an unreadable number is no record of vectors
        }
        return new VectorCounts(chunks, current, data.getOrDefault(Fields.EMBED_NAME, ""), dims);
    }

    @Override
    public String describeRetrieval() {
        try {
            var manager = searchers();
            if (manager == null) return plans.describe(plans.empty(settings.mode()));
            manager.maybeRefreshBlocking();
            var searcher = manager.acquire();
            try {
                return describeRetrieval(searcher);
            } finally {
                manager.release(searcher);
            }
        } catch (IOException e) {
            return "cannot tell: " + unreadable(e).getMessage();
        }
    }

    private String describeRetrieval(IndexSearcher searcher) throws IOException {
        return plans.describe(() -> vectors(searcher));
    }

    /**
     * The base field for every query; each detected language's stemmed field besides. Null when
     * nothing is searchable. A long question (a pasted page) keeps its {@link #MAX_QUERY_TERMS}
     * rarest terms per field, the ones that tell passages apart.
     */
    Query query(String text, IndexReader reader) throws IOException {
        var chunksOnly = new TermQuery(new Term(Fields.KIND, Fields.CHUNK));
        var any = new BooleanQuery.Builder();
        var base = QueryTerms.query(baseAnalyzer, Fields.TEXT, text, reader, MAX_QUERY_TERMS);
        boolean some = false;
        if (base != null) {
            any.add(base, BooleanClause.Occur.SHOULD);
            some = true;
        }
        for (var lang : Languages.detect(text)) {
            var stemmed = QueryTerms.query(Languages.analyzer(lang), lang.field(), text, reader, MAX_QUERY_TERMS);
            if (stemmed != null) {
                any.add(new BoostQuery(stemmed, LANGUAGE_FIELD_BOOST), BooleanClause.Occur.SHOULD);
                some = true;
            }
        }
        if (!some) return null;
        return new BooleanQuery.Builder()
                .add(any.build(), BooleanClause.Occur.MUST)
                .add(chunksOnly, BooleanClause.Occur.FILTER)
                .build();
    }

    @Override
    public IndexStatus status() throws RagdeskException {
        Documents.requireFolder(dir);
        try {
            if (!Files.isDirectory(dir) || !DirectoryReader.indexExists(directoryOrOpen())) return IndexStatus.none(Config.Retrieval.LUCENE, dir.getFileName().toString(), where());
            try (var reader = DirectoryReader.open(directoryOrOpen())) {
                var searcher = new IndexSearcher(reader);
                int files = searcher.count(new TermQuery(new Term(Fields.KIND, Fields.FILE)));
                int skipped = searcher.count(new BooleanQuery.Builder()
                        .add(new TermQuery(new Term(Fields.KIND, Fields.FILE)), BooleanClause.Occur.FILTER)
                        .add(new TermQuery(new Term(Fields.SKIPPED, "yes")), BooleanClause.Occur.FILTER).build());
                int chunks = searcher.count(new TermQuery(new Term(Fields.KIND, Fields.CHUNK)));
                var updated = reader.getIndexCommit().getUserData().getOrDefault("updated", "");
                long bytes = 0;
                for (var name : directoryOrOpen().listAll()) bytes += directoryOrOpen().fileLength(name);
                var v = vectors(searcher);
                return new IndexStatus(true, files - skipped, skipped, chunks, bytes, updated, v.current(), v.lastModel(),
                        v.lastDims(), describeRetrieval(searcher), Config.Retrieval.LUCENE,
                        dir.getFileName().toString(), where());
            }
        } catch (IOException e) {
            throw unreadable(e);
        }
    }

    /** A damaged index is not an empty one: say so, and how to rebuild it. */
    private RagdeskException unreadable(IOException e) {
        return Documents.unreadable(dir, e);
    }

    private synchronized SearcherManager searchers() throws IOException {
        if (searchers != null) return searchers;
        if (!Files.isDirectory(dir) || !DirectoryReader.indexExists(directoryOrOpen())) return null;
        searchers = new SearcherManager(directoryOrOpen(), null);
        return searchers;
    }

    private synchronized Directory directoryOrOpen() throws IOException {
        if (directory == null) directory = PrivateDirectory.open(dir);
        return directory;
    }

    private static String firstWords(String text) {
        return text.length() <= 240 ? text : text.substring(0, 240) + " …";
    }

    @Override
    public synchronized void close() throws IOException {
        if (searchers != null) searchers.close();
        if (directory != null) directory.close();
    }
}
