package dev.ragdesk.testing;

import dev.ragdesk.config.Config;
import dev.ragdesk.config.ConfigLoader;
import dev.ragdesk.io.FileTrees;
import org.apache.solr.cloud.MiniSolrCloudCluster;
import org.apache.solr.security.Sha256AuthenticationProvider;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * A real SolrCloud for a test class: two Jetty nodes and an embedded ZooKeeper
 * (MiniSolrCloudCluster), on loopback, in this JVM, started once before the class's tests and
 * shut down after them ({@code @RegisterExtension static final SolrCloud solr = new SolrCloud(null)}),
 * or by hand with {@link #start}. Collections are created by ragdesk itself ({@code index --init}).
 */
public final class SolrCloud implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private final String securityJson;
    public MiniSolrCloudCluster cluster;
    private Path dir;
    private boolean ownDir;

    /** @param securityJson null for an open cluster; {@link #basicAuth} for one that wants a password */
    public SolrCloud(String securityJson) {
        this.securityJson = securityJson;
    }

    public static SolrCloud start(Path dir, String securityJson) throws Exception {
        var solr = new SolrCloud(securityJson);
        solr.startIn(dir);
        return solr;
    }

    /** security.json for Solr's basic auth with one user, who may do everything; anyone else is refused. */
    public static String basicAuth(String user, String password) {
        return "{\"authentication\":{\"blockUnknown\":true,\"class\":\"solr.BasicAuthPlugin\",\"credentials\":{\"" + user + "\":\""
                + Sha256AuthenticationProvider.getSaltedHashedValue(password) + "\"}},"
                + "\"authorization\":{\"class\":\"solr.RuleBasedAuthorizationPlugin\",\"permissions\":[{\"name\":\"all\",\"role\":\"admin\"}],"
                + "\"user-role\":{\"" + user + "\":\"admin\"}}}";
    }

    private void startIn(Path folder) throws Exception {
        dir = folder;
        System.setProperty("solr.log.dir", dir.resolve("logs").toString());
        var builder = new MiniSolrCloudCluster.Builder(2, dir.resolve("cluster"));
        if (securityJson != null) builder.withSecurityJson(securityJson);
        cluster = builder.build();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        ownDir = true;
        startIn(Files.createTempDirectory("solrcloud"));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    /** A folder of this cluster's for a test's own files (documents, workspaces). */
    public Path dir(String name) throws Exception {
        return Files.createDirectories(dir.resolve(name)).toRealPath();
    }

    /** Both nodes' URLs, as [solr].url takes them. */
    public String url() {
        return cluster.getJettySolrRunners().stream().map(j -> j.getBaseUrl().toString()).collect(Collectors.joining(","));
    }

    /** config.toml lines for the Solr backend on this cluster's {@code collection}, plus {@code more} [solr] lines. */
    public String toml(String collection, String more) {
        return "[retrieval]\nbackend = \"solr\"\n\n[solr]\nurl = \"" + url() + "\"\ncollection = \"" + collection + "\"\n" + more;
    }

    /** The settings {@link #toml} writes, read the way ragdesk reads config.toml. */
    public Config config(String collection, String more) throws Exception {
        var file = Files.createTempFile(dir, "config", ".toml");
        Files.writeString(file, toml(collection, more));
        return new ConfigLoader().load(file).config();
    }

    @Override
    public void close() throws Exception {
        if (cluster != null) cluster.shutdown();
        cluster = null;
        if (ownDir) FileTrees.delete(dir);
    }
}
