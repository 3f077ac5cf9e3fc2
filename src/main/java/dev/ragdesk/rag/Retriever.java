package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.engine.Passage;
import dev.ragdesk.engine.PassageSource;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BoostQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.uhighlight.DefaultPassageFormatter;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.index.IndexReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Ranks passages with BM25 across the base field and the stemmed field of each language the
 * query is written in, and cuts a highlighted excerpt from each hit. Reads the last commit
 * and refreshes before each search, so it works while another thread or process indexes.
 */
public final class Retriever implements PassageSource, AutoCloseable {
    /** Stemmed fields count a little less than the base field: an exact form should win. */
    static final float LANGUAGE_FIELD_BOOST = 0.7f;

    private final Path dir;
    private final org.apache.lucene.analysis.Analyzer baseAnalyzer = Languages.base();
    private Directory directory;
    private SearcherManager searchers;

    public Retriever(Path dir) {
        this.dir = dir;
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
    public List<Passage> retrieve(String question, int topK) throws RagdeskException {
        return search(question, topK).stream().map(SearchHit::toPassage).toList();
    }

    public List<SearchHit> search(String queryText, int topK) throws RagdeskException {
        Documents.requireFolder(dir);
        try {
            var manager = searchers();
            if (manager == null) return List.of();
            manager.maybeRefreshBlocking();
            var searcher = manager.acquire();
            try {
                var query = query(queryText, searcher.getIndexReader());
                if (query == null) return List.of();
                var top = searcher.search(query, topK);
                if (top.scoreDocs.length == 0) return List.of();
                var highlighter = UnifiedHighlighter.builder(searcher, baseAnalyzer)
                        .withFormatter(new DefaultPassageFormatter("**", "**", " … ", false))
                        .withMaxLength(20_000)
                        .build();
                var excerpts = highlighter.highlight(Fields.TEXT, query, top, 2);
                var stored = searcher.storedFields();
                var hits = new ArrayList<SearchHit>();
                for (int i = 0; i < top.scoreDocs.length; i++) {
                    var doc = stored.document(top.scoreDocs[i].doc);
                    int page = doc.getField(Fields.PAGE).numericValue().intValue();
                    int start = doc.getField(Fields.START_LINE).numericValue().intValue();
                    int end = doc.getField(Fields.END_LINE).numericValue().intValue();
                    var chunk = new Chunk(doc.get(Fields.TEXT), doc.get(Fields.HEADING), page, start, end, 0);
                    var excerpt = excerpts[i] != null ? excerpts[i] : firstWords(chunk.text());
                    hits.add(new SearchHit(i + 1, top.scoreDocs[i].score, doc.get(Fields.PATH), chunk.location(),
                            chunk.heading(), excerpt.replaceAll("\\s+", " ").strip(), chunk.text(), page, start, end));
                }
                return hits;
            } finally {
                manager.release(searcher);
            }
        } catch (IOException e) {
            throw unreadable(e);
        } catch (IndexSearcher.TooManyClauses e) {
            throw new RagdeskException("the query is too long to search; shorten it", e);
        }
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

    /** Counts and size at the last commit. */
    public IndexStatus status() throws RagdeskException {
        Documents.requireFolder(dir);
        try {
            if (!Files.isDirectory(dir) || !DirectoryReader.indexExists(directoryOrOpen())) return IndexStatus.NONE;
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
                return new IndexStatus(true, files - skipped, skipped, chunks, bytes, updated);
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
        if (directory == null) directory = FSDirectory.open(dir);
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
