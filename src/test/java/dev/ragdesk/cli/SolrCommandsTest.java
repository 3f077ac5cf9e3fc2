package dev.ragdesk.cli;

import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.testing.SolrCloud;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The Solr backend through the real command line, against a real two-node SolrCloud. */
@Timeout(300)
class SolrCommandsTest {
    @RegisterExtension static final SolrCloud solr = new SolrCloud(null);
    static Path home;
    static Path docs;

    @BeforeAll
    static void write() throws Exception {
        home = solr.dir("home");
        docs = solr.dir("docs");
        Files.writeString(docs.resolve("lighthouse.txt"), "The lighthouse keeper climbed one hundred steps to light the lamp.\n");
        Files.writeString(docs.resolve("rice.txt"), "Monsoon rains flooded the rice fields near the river delta.\n");
        // the team's cluster is named, but this workspace's own index stays the default backend
        Files.writeString(home.resolve("config.toml"), "[solr]\nurl = \"" + solr.url() + "\"\ncollection = \"team-docs\"\nshards = 2\nreplicas = 2\n");
    }

    private static CliRun run(String... args) {
        return CliRun.in(home, Map.of(), args);
    }

    @Test
    void initIndexSearchAndStatusNameTheCollection() throws Exception {
        var init = run("index", "--backend", "solr", "--init", docs.toString());
        assertEquals(0, init.code(), init.err());
        assertTrue(init.out().startsWith("created solr collection \"team-docs\" at " + solr.url() + ": 2 shard(s) x 2 replica(s)"), init.out());
        assertTrue(init.out().contains("indexed 2 files"), init.out());

        var again = run("index", "--backend", "solr", "--init");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("exists with ragdesk's schema"), again.out());

        var hits = run("search", "--backend", "solr", "--json", "lighthouse lamp").json();
        assertEquals(docs.resolve("lighthouse.txt").toString(), hits.get(0).get("path").asText());
        assertTrue(hits.get(0).get("excerpt").asText().contains("**lighthouse**"), hits.toString());

        var local = run("search", "lighthouse lamp");
        assertTrue(local.out().contains("no documents indexed yet in lucene index " + home.resolve("index")), local.out());

        var status = run("index", "--backend", "solr", "--status");
        assertEquals(0, status.code(), status.err());
        assertTrue(status.out().startsWith("solr collection \"team-docs\" at " + solr.url() + ": 2 files, 2 chunks"), status.out());

        var teamHome = solr.dir("team-home");
        Files.writeString(teamHome.resolve("config.toml"), "[retrieval]\nbackend = \"solr\"\n\n" + Files.readString(home.resolve("config.toml")));
        var overall = CliRun.in(teamHome, Map.of(), "status");
        assertEquals(0, overall.code(), overall.err());
        assertTrue(overall.out().contains("index: solr collection \"team-docs\" at " + solr.url() + ": 2 files, 2 chunks (0 with vectors)\n"),
                overall.out());
    }

    /** `ask` in RAG mode on the team's collection: the one answering path, with passages and citations from Solr. */
    @Test
    void askAnswersFromTheCollectionAndCitesIt() throws Exception {
        var askHome = solr.dir("ask-home");
        var model = dev.ragdesk.models.SyntheticGguf.llama().writeTo(askHome.resolve("models/tiny.gguf"));
        Files.writeString(askHome.resolve("config.toml"), "[engine]\nkind = \"jvm\"\n[models.rag]\npath = \"" + model
                + "\"\n[llama]\nctx_size = 2048\n\n" + solr.toml("ask-docs", ""));
        var init = CliRun.in(askHome, Map.of(), "index", "--init", docs.toString());
        assertEquals(0, init.code(), init.err());
        var answer = CliRun.in(askHome, Map.of(), "ask", "--mode", "rag", "--json", "--max-tokens", "4", "--temperature", "0",
                "Who climbed the steps to light the lighthouse lamp?");
        assertEquals(0, answer.code(), answer.err());
        var citations = answer.json().get("citations");
        assertEquals(docs.resolve("lighthouse.txt").toString(), citations.get(0).get("path").asText(), answer.out());
    }

    @Test
    void initWantsTheSolrBackendAndTheSolrBackendWantsAnAddress() throws Exception {
        var init = run("index", "--init");
        assertEquals(ExitCodes.USAGE, init.code());
        assertTrue(init.err().contains("--init creates a Solr collection: add --backend solr"), init.err());

        var bare = solr.dir("bare-home");
        var noAddress = CliRun.in(bare, Map.of(), "search", "--backend", "solr", "lamp");
        assertEquals(ExitCodes.USAGE, noAddress.code());
        assertTrue(noAddress.err().contains("--backend solr needs the cluster's address: set [solr].url"), noAddress.err());

        Files.writeString(bare.resolve("config.toml"), "[retrieval]\nbackend = \"solr\"\n");
        var config = CliRun.in(bare, Map.of(), "status");
        assertEquals(ExitCodes.USAGE, config.code());
        assertTrue(config.err().contains("retrieval.backend"), config.err());
        assertTrue(config.err().contains("neither url nor zk_hosts"), config.err());
    }
}
