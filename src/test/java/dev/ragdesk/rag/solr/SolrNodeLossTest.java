package dev.ragdesk.rag.solr;

import dev.ragdesk.config.Workspace;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.rag.Chunker;
import dev.ragdesk.rag.DocumentIndex;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.rag.Extractors;
import dev.ragdesk.rag.Fields;
import dev.ragdesk.testing.SolrCloud;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A node of the cluster goes down in the middle of an indexing run (two nodes, two shards of two
 * replicas: each shard keeps a replica on the node left). The run goes on against the replicas
 * that took over, and when it ends every file is there, with exactly its chunks: nothing
 * committed before the loss is lost and nothing after it is half-written.
 */
@Timeout(300)
class SolrNodeLossTest {
    @RegisterExtension static final SolrCloud solr = new SolrCloud(null);

    @Test
    void indexingOutlivesANodeAndLosesNothing() throws Exception {
        var config = solr.config("resilient", "");
        Documents.createSolrCollection(config, Embeddings.none(), Map.of());
        var docs = solr.dir("docs");
        int files = 120;
        for (int i = 0; i < files; i++) {
            Files.writeString(docs.resolve("f" + i + ".txt"), "Ledger " + i + " records the sandpiper" + i + " count.\n\n"
                    + "A second paragraph of ledger " + i + " that is long enough to make a chunk of its own, and then some more words.\n");
        }
        boolean[] stopped = {false};
        var store = SolrStore.open(SolrCollection.connect(config.solr(), Map.of()), "h", 0);
        try (var writer = DocumentIndex.on(store, new Extractors(50_000_000), new Chunker(200, 0),
                new DocumentIndex.CommitPolicy(10, Duration.ofHours(1)), Embeddings.none())) {
            var summary = writer.index(List.of(docs), p -> {
                if (p.filesDone() == 45 && !stopped[0]) {
                    stopped[0] = true;
                    try {
                        solr.cluster.stopJettySolrRunner(1); // four commits are in; the fifth batch is being written
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, () -> false);
            assertTrue(stopped[0]);
            assertEquals(files, summary.indexed(), "the run finished on the node left");
        }

        var params = new ModifiableSolrParams();
        params.set("q", "*:*");
        params.set("fl", Fields.KIND + "," + Fields.PATH + "," + Fields.CHUNKS);
        params.set("rows", 10_000);
        var all = solr.cluster.getSolrClient().query("resilient", params).getResults();
        var recorded = new HashMap<String, Integer>();
        var chunks = new HashMap<String, Integer>();
        for (var doc : all) {
            var path = (String) doc.getFirstValue(Fields.PATH);
            if (Fields.FILE.equals(doc.getFirstValue(Fields.KIND))) recorded.put(path, ((Number) doc.getFirstValue(Fields.CHUNKS)).intValue());
            else chunks.merge(path, 1, Integer::sum);
        }
        assertEquals(files, recorded.size());
        assertEquals(recorded, chunks, "every file holds exactly the chunks its record counts");

        try (var retriever = Documents.retriever(new Workspace(solr.dir("ws")), config, Embeddings.none(), Map.of())) {
            for (int i : new int[] {3, 44, 46, 119}) {
                var hits = retriever.search("sandpiper" + i, 1).hits();
                assertEquals(docs.resolve("f" + i + ".txt").toString(), hits.get(0).path());
            }
        }
    }
}
