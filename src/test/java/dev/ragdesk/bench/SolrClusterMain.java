package dev.ragdesk.bench;

import dev.ragdesk.testing.SolrCloud;

import java.nio.file.Path;

/**
 * A two-node SolrCloud on loopback for `ragdesk bench … --backend solr` where no team cluster is at
 * hand: prints its [solr].url (and its zk_hosts), and runs until its standard input closes.
 * {@code java -cp target/test-classes:target/classes:CLASSPATH dev.ragdesk.bench.SolrClusterMain DIR}
 */
public final class SolrClusterMain {
    private SolrClusterMain() {}

    public static void main(String[] args) throws Exception {
        try (var solr = SolrCloud.start(Path.of(args[0]), null)) {
            System.out.println("url = \"" + solr.url() + "\"");
            System.out.println("# or: zk_hosts = \"" + solr.cluster.getZkServer().getZkAddress() + "\"");
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the bench's shell closes our input
            }
        }
        System.exit(0);
    }
}
