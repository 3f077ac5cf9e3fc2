package dev.ragdesk.rag.solr;

import com.sun.net.httpserver.HttpServer;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.embed.Embeddings;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.testing.SolrCloud;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A cluster that requires credentials (Solr's BasicAuthPlugin, blockUnknown): ragdesk without
 * them, or with a wrong password, is refused in one line that says what to set; with the
 * password from the environment variable the config names, it creates, indexes and searches.
 * The password never appears in what ragdesk says.
 */
@Timeout(300)
class SolrAuthTest {
    static final String PASSWORD = "ragdesk-test-Pa55";
    @RegisterExtension static final SolrCloud solr = new SolrCloud(SolrCloud.basicAuth("team", PASSWORD));

    @Test
    void withoutTheRightCredentialsRagdeskIsRefusedInOneLine() throws Exception {
        var none = assertThrows(RagdeskException.class,
                () -> Documents.createSolrCollection(solr.config("locked", ""), Embeddings.none(), Map.of()));
        assertTrue(none.getMessage().startsWith("the Solr cluster refused ragdesk (401: it needs credentials)"), none.getMessage());
        assertTrue(none.getMessage().contains("set [solr].user and [solr].password_env"), none.getMessage());

        var wrong = solr.config("locked", "user = \"team\"\npassword_env = \"TEAM_SOLR_PASSWORD\"\n");
        var refused = assertThrows(RagdeskException.class,
                () -> Documents.createSolrCollection(wrong, Embeddings.none(), Map.of("TEAM_SOLR_PASSWORD", "not-" + PASSWORD)));
        assertTrue(refused.getMessage().contains("401: wrong credentials"), refused.getMessage());
        assertTrue(refused.getMessage().contains("$TEAM_SOLR_PASSWORD"), refused.getMessage());
        assertFalse(refused.getMessage().contains(PASSWORD), "the password is never said");
        assertFalse(refused.getMessage().contains("\n"));
    }

    @Test
    void thePasswordFromTheEnvironmentOpensTheCluster() throws Exception {
        var config = solr.config("team", "user = \"team\"\npassword_env = \"TEAM_SOLR_PASSWORD\"\n");
        var env = Map.of("TEAM_SOLR_PASSWORD", PASSWORD);
        assertTrue(Documents.createSolrCollection(config, Embeddings.none(), env).startsWith("created"));
        var docs = solr.dir("docs");
        Files.writeString(docs.resolve("plan.txt"), "The grebe survey starts at dawn on Sunday.\n");
        var ws = new Workspace(solr.dir("ws"));
        try (var writer = Documents.openForWriting(ws, config, env)) {
            assertEquals(1, writer.index(List.of(docs), p -> {}, () -> false).indexed());
        }
        try (var retriever = Documents.retriever(ws, config, Embeddings.none(), env)) {
            assertTrue(retriever.search("grebe survey", 3).hits().get(0).path().endsWith("plan.txt"));
        }
        try (var stranger = Documents.retriever(ws, solr.config("team", ""), Embeddings.none(), Map.of())) {
            var e = assertThrows(RagdeskException.class, () -> stranger.search("grebe", 3));
            assertTrue(e.getMessage().contains("401"), e.getMessage());
        }
    }

    /**
     * [solr].api_key_env: the key goes in the Authorization header as a bearer token (for a
     * gateway in front of Solr). A real HTTP server on loopback records what arrives and refuses
     * it; the key is sent and never said.
     */
    @Test
    void anApiKeyTravelsAsABearerTokenAndIsNeverSaid() throws Exception {
        var seen = new CopyOnWriteArrayList<String>();
        var server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            seen.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
        });
        server.start();
        try {
            var settings = new Config.Solr("http://127.0.0.1:" + server.getAddress().getPort() + "/solr", "", "docs", "", "",
                    "TEAM_SOLR_KEY", 2, 2);
            var key = "sk-team-0123456789";
            try (var collection = SolrCollection.connect(settings, Map.of("TEAM_SOLR_KEY", key))) {
                var e = assertThrows(RagdeskException.class, collection::exists);
                assertFalse(e.getMessage().contains(key), e.getMessage());
            }
            assertFalse(seen.isEmpty(), "a request reached the server");
            assertTrue(seen.stream().allMatch(("Bearer " + key)::equals), seen.toString());
        } finally {
            server.stop(0);
        }
    }
}
