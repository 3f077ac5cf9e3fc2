package dev.ragdesk.rag.solr;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.rag.Chunker;
import dev.ragdesk.rag.DocumentIndex;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.rag.Extractors;
import dev.ragdesk.rag.Fields;
import dev.ragdesk.rag.IndexSummary;
import dev.ragdesk.testing.SolrCloud;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.common.params.ModifiableSolrParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Indexing into a real SolrCloud (two nodes, collections of two shards of two replicas) keeps
 * the local index's incremental rules, shares one collection between machines, and ends every
 * failure in one line. The oracle is what the cluster holds, read with Solr's own client.
 */
@Timeout(300)
class SolrIndexingTest {
    @RegisterExtension static final SolrCloud solr = new SolrCloud(null);

    /** A collection made by ragdesk's --init, BM25 only. */
    private static Config collection(String name) throws Exception {
        var config = solr.config(name, "");
        Documents.createSolrCollection(config, Embeddings.none(), Map.of());
        return config;
    }

    /** How many documents of {@code kind} the cluster holds for {@code path} (as {@code host}, or any). */
    private static long count(String collection, String kind, String path, String host) throws Exception {
        var params = new ModifiableSolrParams();
        params.set("q", "*:*");
        params.add("fq", "{!term f=" + Fields.KIND + "}" + kind);
        if (path != null) params.add("fq", "{!term f=" + Fields.PATH + "}" + path);
        if (host != null) params.add("fq", "{!term f=host}" + host);
        params.set("rows", 0);
        return solr.cluster.getSolrClient().query(collection, params).getResults().getNumFound();
    }

    private static DocumentIndex writer(Config config, String host) throws Exception {
        var store = SolrStore.open(SolrCollection.connect(config.solr(), Map.of()), host, 0);
        return DocumentIndex.on(store, new Extractors(50_000_000), new Chunker(400, 60), DocumentIndex.CommitPolicy.DEFAULT,
                Embeddings.none());
    }

    private static IndexSummary index(Config config, String host, Path... roots) throws Exception {
        try (var writer = writer(config, host)) {
            return writer.index(List.of(roots), p -> {}, () -> false);
        }
    }

    private static String paragraphs(String word, int n) {
        var text = new StringBuilder();
        for (int i = 0; i < n; i++) text.append("Paragraph ").append(i).append(" tells of the ").append(word)
                .append(" and of nothing else at all, at some length, so that it fills a chunk of its own.\n\n");
        return text.toString();
    }

    @Test
    void reindexingIsIncrementalAndAFileShrinksOrGoesWithoutATrace() throws Exception {
        var config = collection("incremental");
        var docs = solr.dir("incremental-docs");
        var a = docs.resolve("a.txt");
        Files.writeString(a, paragraphs("albatross", 8));
        Files.writeString(docs.resolve("b.txt"), paragraphs("bittern", 2));
        Files.writeString(docs.resolve("c.txt"), paragraphs("cormorant", 2));

        var first = index(config, "this-host", docs);
        assertEquals(3, first.indexed());
        long aChunks = count("incremental", Fields.CHUNK, a.toString(), null);
        assertTrue(aChunks > 3, "a.txt makes several chunks: " + aChunks);
        assertEquals(first.chunks(), count("incremental", Fields.CHUNK, null, null));

        var again = index(config, "this-host", docs);
        assertEquals(0, again.indexed());
        assertEquals(3, again.unchanged());

        Files.writeString(a, "Only the albatross remains, in one short line.\n");
        var shrunk = index(config, "this-host", docs);
        assertEquals(1, shrunk.indexed());
        assertEquals(1, count("incremental", Fields.CHUNK, a.toString(), null), "the chunks beyond the new length are gone");

        Files.delete(docs.resolve("c.txt"));
        var removed = index(config, "this-host", docs);
        assertEquals(1, removed.removed());
        assertEquals(0, count("incremental", Fields.CHUNK, docs.resolve("c.txt").toString(), null));
        assertEquals(0, count("incremental", Fields.FILE, docs.resolve("c.txt").toString(), null));

        try (var retriever = Documents.retriever(new Workspace(solr.dir("ws")), config, Embeddings.none(), Map.of())) {
            var hits = retriever.search("albatross", 5).hits();
            assertEquals(1, hits.size(), "one short chunk of a.txt is left: " + hits);
            assertTrue(hits.get(0).excerpt().contains("**albatross**"), hits.get(0).excerpt());
            assertTrue(retriever.search("cormorant", 5).hits().isEmpty());
        }
    }

    @Test
    void machinesShareACollectionAndEachRemovesOnlyItsOwn() throws Exception {
        var config = collection("shared");
        var docs = solr.dir("shared-docs");
        var file = docs.resolve("notes.txt");
        Files.writeString(file, paragraphs("heron", 2));
        assertEquals(1, index(config, "gpu-box-1", docs).indexed());
        assertEquals(1, index(config, "gpu-box-2", docs).indexed(), "the same path on another machine is another file");
        assertEquals(2, count("shared", Fields.FILE, file.toString(), null));

        try (var writer = writer(config, "gpu-box-1")) {
            assertEquals(1, writer.remove(docs));
        }
        assertEquals(0, count("shared", Fields.CHUNK, file.toString(), "gpu-box-1"));
        assertTrue(count("shared", Fields.CHUNK, file.toString(), "gpu-box-2") > 0, "the other machine's copy stays");
    }

    @Test
    void aStoppedRunIsFinishedByTheNextAndNoRecordVouchesForMissingChunks() throws Exception {
        var config = collection("resumed");
        var docs = solr.dir("resumed-docs");
        for (int i = 0; i < 12; i++) Files.writeString(docs.resolve("f" + i + ".txt"), paragraphs("wader number " + i, 3));
        int[] seen = {0};
        try (var writer = DocumentIndex.on(SolrStore.open(SolrCollection.connect(config.solr(), Map.of()), "h", 0),
                new Extractors(50_000_000), new Chunker(400, 60), new DocumentIndex.CommitPolicy(4, java.time.Duration.ofHours(1)),
                Embeddings.none())) {
            var stopped = writer.index(List.of(docs), p -> seen[0] = p.filesDone(), () -> seen[0] >= 7);
            assertTrue(stopped.cancelled());
        }
        var params = new ModifiableSolrParams();
        params.set("q", Fields.KIND + ":" + Fields.FILE);
        params.set("fl", Fields.PATH + "," + Fields.CHUNKS);
        params.set("rows", 100);
        var records = solr.cluster.getSolrClient().query("resumed", params).getResults();
        assertTrue(records.size() >= 4 && records.size() < 12, records.size() + " files were recorded before the stop");
        for (var record : records) {
            assertEquals(((Number) record.getFirstValue(Fields.CHUNKS)).longValue(),
                    count("resumed", Fields.CHUNK, (String) record.getFirstValue(Fields.PATH), null));
        }
        var rest = index(config, "h", docs);
        assertEquals(12 - records.size(), rest.indexed());
        assertEquals(records.size(), rest.unchanged());
    }

    /**
     * A run that ends after a file's chunks are written and before its record vouches for them
     * (the process killed there): the next run writes the file again if it is there, and removes
     * every trace of it if it is gone, since its pending record names it.
     */
    @Test
    void aRunEndedBetweenAFilesChunksAndItsRecordIsFinishedOrCleanedUp() throws Exception {
        var config = collection("interrupted");
        var docs = solr.dir("interrupted-docs");
        var kept = docs.resolve("kept.txt");
        var gone = docs.resolve("gone.txt");
        Files.writeString(kept, paragraphs("plover", 8));
        Files.writeString(gone, paragraphs("dunlin", 8));
        var updates = new java.util.ArrayList<dev.ragdesk.rag.DocumentStore.FileUpdate>();
        for (var file : List.of(kept, gone)) {
            var chunks = new Chunker(400, 60).chunk(new Extractors(50_000_000).extract(file));
            updates.add(new dev.ragdesk.rag.DocumentStore.FileUpdate(new dev.ragdesk.rag.FileRecord(file.toString(), "0".repeat(64),
                    Files.size(file), "text", chunks.size(), "", "", ""), chunks, null));
        }
        var store = SolrStore.open(SolrCollection.connect(config.solr(), Map.of()), "h", 0);
        store.begin(updates, System.currentTimeMillis());
        store.writeChunks(updates);
        store.commit(Map.of());
        store.close(); // the process ends here: chunks written, no record vouching for them
        assertEquals(updates.get(1).chunks().size(), count("interrupted", Fields.CHUNK, gone.toString(), null));
        assertTrue(updates.get(1).chunks().size() > 1);

        Files.delete(gone);
        var next = index(config, "h", docs);
        assertEquals(1, next.indexed(), "the file that is there is written again");
        assertEquals(1, next.removed(), "the file that went is removed");
        assertEquals(0, count("interrupted", Fields.CHUNK, gone.toString(), null), "no chunk of it is left to be found");
        assertEquals(0, count("interrupted", Fields.FILE, gone.toString(), null));
        assertEquals(updates.get(0).chunks().size(), count("interrupted", Fields.CHUNK, kept.toString(), null));
    }

    /**
     * A collection indexed before there was an embed model: search says so and runs BM25; then
     * {@code index --embed} gives every chunk a vector from its stored text, without reading a file,
     * and search by meaning finds what shares no word with the question.
     */
    @Test
    void vectorsAreAddedLaterFromTheStoredChunks() throws Exception {
        var config = collection("embedded-later");
        var docs = solr.dir("later-docs");
        Files.writeString(docs.resolve("car.txt"), "The automobile would not start because its battery was flat.\n");
        Files.writeString(docs.resolve("rice.txt"), "Monsoon rains flooded the rice fields near the river delta.\n");
        try (var writer = Documents.openForWriting(new Workspace(solr.dir("ws")), config, Map.of())) { // as this machine
            assertEquals(2, writer.index(List.of(docs), p -> {}, () -> false).indexed());
        }
        try (var minilm = dev.ragdesk.embed.OnnxEmbedder.load(dev.ragdesk.testing.MiniLm.files(), dev.ragdesk.testing.MiniLm.settings())) {
            var embeddings = Embeddings.of(minilm.id(), minilm.displayName(), dev.ragdesk.testing.MiniLm.settings(), () -> minilm);
            var ws = new Workspace(solr.dir("ws"));
            try (var retriever = Documents.retriever(ws, config, embeddings, Map.of())) {
                var before = retriever.search("car won't turn over, dead accumulator", 2);
                assertEquals("bm25", before.plan().mode());
                assertTrue(before.plan().note().contains("run `ragdesk index --embed`"), before.plan().note());

                Files.delete(docs.resolve("rice.txt")); // --embed reads no file: the stored chunks are enough
                try (var writer = Documents.openForEmbedding(ws, config, embeddings, Map.of())) {
                    var summary = writer.embedMissing(p -> {}, () -> false);
                    assertEquals(2, summary.embedded());
                }
                var after = retriever.search("car won't turn over, dead accumulator", 1, "vector");
                assertEquals("vector", after.plan().mode());
                assertEquals(docs.resolve("car.txt").toString(), after.hits().get(0).path());
                assertEquals(2, retriever.status().vectorChunks());
            }
        }
    }

    /** [solr].zk_hosts instead of url: the cluster's ZooKeeper names its nodes. */
    @Test
    void theClustersZooKeeperServesAsWellAsItsNodes() throws Exception {
        var config = collection("by-zookeeper");
        var docs = solr.dir("zk-docs");
        Files.writeString(docs.resolve("egret.txt"), paragraphs("egret", 1));
        index(config, "h", docs);
        var zk = new Config.Solr("", solr.cluster.getZkServer().getZkAddress(), "by-zookeeper", "", "", "", 2, 2);
        try (var retriever = new SolrRetriever(SolrCollection.connect(zk, Map.of()), config.retrieval(), Embeddings.none())) {
            assertTrue(retriever.where().contains("at ZooKeeper 127.0.0.1:"), retriever.where());
            assertEquals(docs.resolve("egret.txt").toString(), retriever.search("egret", 1).hits().get(0).path());
        }
    }

    private static void assertOneLine(String expectedPart, RagdeskException e) {
        assertTrue(e.getMessage().contains(expectedPart), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void everyClusterProblemIsOneLineThatSaysWhatToDo() throws Exception {
        int closedPort;
        try (var socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        var nowhere = new Config.Solr("http://127.0.0.1:" + closedPort + "/solr", "", "docs", "", "", "", 2, 2);
        var config = Config.DEFAULTS.withRetrieval(Config.DEFAULTS.retrieval().withBackend("solr"));
        var ws = new Workspace(solr.dir("ws"));
        try (var retriever = new SolrRetriever(SolrCollection.connect(nowhere, Map.of()), config.retrieval(), Embeddings.none())) {
            assertOneLine("cannot reach the Solr cluster for \"docs\" at http://127.0.0.1:" + closedPort,
                    assertThrows(RagdeskException.class, () -> retriever.search("heron", 5)));
        }

        var missing = solr.config("no-such-collection", "");
        try (var retriever = Documents.retriever(ws, missing, Embeddings.none(), Map.of())) {
            assertOneLine("there is no collection \"no-such-collection\"",
                    assertThrows(RagdeskException.class, () -> retriever.search("heron", 5)));
        }
        assertOneLine("ragdesk index --backend solr --init",
                assertThrows(RagdeskException.class, () -> Documents.openForWriting(ws, missing, Map.of())));

        // a collection another version (or application) made: the schema's name says so
        var foreign = solr.dir("foreign-conf");
        SolrConfigset.write(foreign, 384);
        Files.writeString(foreign.resolve("schema.xml"), Files.readString(foreign.resolve("schema.xml"))
                .replace("name=\"" + SolrConfigset.SCHEMA_NAME + "\"", "name=\"ragdesk-0\""));
        solr.cluster.uploadConfigSet(foreign, "foreign");
        CollectionAdminRequest.createCollection("foreign", "foreign", 1, 1).process(solr.cluster.getSolrClient());
        solr.cluster.waitForActiveCollection("foreign", 1, 1);
        assertOneLine("has the schema \"ragdesk-0\", not ragdesk's \"" + SolrConfigset.SCHEMA_NAME + "\"",
                assertThrows(RagdeskException.class, () -> Documents.openForWriting(ws, solr.config("foreign", ""), Map.of())));

        var made = collection("sized");
        var sized = SolrCollection.connect(made.solr(), Map.of());
        assertOneLine("holds vectors of 384 dimensions and the embed model makes 768",
                assertThrows(RagdeskException.class, () -> SolrStore.open(sized, "h", 768)));
        sized.close();

        var unset = new Config.Solr(solr.url(), "", "sized", "ragdesk", "RAGDESK_TEST_UNSET_PASSWORD", "", 2, 2);
        assertOneLine("[solr].password_env names $RAGDESK_TEST_UNSET_PASSWORD, which is not set here",
                assertThrows(RagdeskException.class, () -> SolrCollection.connect(unset, Map.of())));
    }
}
