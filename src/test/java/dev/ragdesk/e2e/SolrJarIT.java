package dev.ragdesk.e2e;

import dev.ragdesk.testing.SolrCloud;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The shaded jar against a real SolrCloud that wants a password: SolrJ, its HTTP/2 client and
 * their service files survive the shading, the password goes from the environment to the
 * cluster, and it is nowhere in what ragdesk printed or logged.
 */
@Timeout(300)
class SolrJarIT {
    static final String PASSWORD = "jar-test-Pa55word";

    @TempDir Path tmp;

    private String run(Path home, String... args) throws Exception {
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                Path.of(System.getProperty("ragdesk.repo", ".")).toRealPath().resolve("target/ragdesk.jar").toString(),
                "--home", home.toString()));
        command.addAll(List.of(args));
        var pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("TEAM_SOLR_PASSWORD", PASSWORD);
        var p = pb.start();
        p.getOutputStream().close();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains(PASSWORD), out);
        return out;
    }

    @Test
    void theJarIndexesAndSearchesATeamsCollection() throws Exception {
        try (var solr = SolrCloud.start(tmp.resolve("solr"), SolrCloud.basicAuth("team", PASSWORD))) {
            var home = Files.createDirectories(tmp.resolve("home"));
            var docs = Files.createDirectories(tmp.resolve("docs")).toRealPath();
            Files.writeString(docs.resolve("survey.txt"), "The kingfisher survey counted eleven nests along the canal.\n");
            Files.writeString(home.resolve("config.toml"), solr.toml("jar-team", "user = \"team\"\npassword_env = \"TEAM_SOLR_PASSWORD\"\n"));

            var init = run(home, "index", "--init", docs.toString());
            assertTrue(init.contains("created solr collection \"jar-team\""), init);
            var found = run(home, "search", "--json", "kingfisher nests");
            assertTrue(found.contains(docs.resolve("survey.txt").toString()), found);
            var status = run(home, "status");
            assertTrue(status.contains("index: solr collection \"jar-team\""), status);

            // the cluster by its ZooKeeper: SolrJ's ZooKeeper client in the jar, without the Netty it does not need
            var byZk = Files.createDirectories(tmp.resolve("zk-home"));
            Files.writeString(byZk.resolve("config.toml"), "[retrieval]\nbackend = \"solr\"\n\n[solr]\nzk_hosts = \""
                    + solr.cluster.getZkServer().getZkAddress() + "\"\ncollection = \"jar-team\"\nuser = \"team\"\n"
                    + "password_env = \"TEAM_SOLR_PASSWORD\"\n");
            var viaZk = run(byZk, "search", "--json", "kingfisher nests");
            assertTrue(viaZk.contains(docs.resolve("survey.txt").toString()), viaZk);

            try (var logs = Files.walk(home.resolve(".data"))) {
                for (var file : logs.filter(Files::isRegularFile).toList()) {
                    assertFalse(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(PASSWORD), file + " holds the password");
                }
            }
        }
    }
}
