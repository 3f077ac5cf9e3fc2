package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;

import java.io.IOException;
import java.util.List;

/**
 * Where searches run: this workspace's Lucene index ({@link Retriever}) or a team's SolrCloud
 * collection ({@code rag.solr.SolrRetriever}). Both rank with the same queries, the same
 * {@link RetrievalPlans} and the same {@link Fusion}, and return the same hits, so the
 * session, {@code ask}, the REPL and the console never know which one answered.
 */
public interface SearchBackend extends PassageSource, AutoCloseable {
    String BM25 = "bm25";
    String VECTOR = "vector";
    String HYBRID = "hybrid";

    /** Which ranking a search ran, and anything the user should know about it (vectors missing). */
    record Plan(String mode, String note) {}

    /** The hits of one search, and the plan it ran. */
    record Result(List<SearchHit> hits, Plan plan) {}

    /** Searches the way [retrieval].mode says. */
    Result search(String queryText, int topK) throws RagdeskException;

    /** {@code requested}: auto, hybrid, bm25 or vector. */
    Result search(String queryText, int topK, String requested) throws RagdeskException;

    /** Which mode a search runs now, as status shows it: "hybrid (BM25 + …)", or the reason it cannot. */
    String describeRetrieval();

    /** Counts at the last commit. */
    IndexStatus status() throws RagdeskException;

    /** "lucene index/ in /home/me/ws" or "solr collection "docs" at https://…": for status lines. */
    String where();

    @Override
    default List<Passage> retrieve(String question, int topK) throws RagdeskException {
        return search(question, topK).hits().stream().map(SearchHit::toPassage).toList();
    }

    @Override
    void close() throws IOException;
}
