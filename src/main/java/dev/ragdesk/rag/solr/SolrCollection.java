package dev.ragdesk.rag.solr;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Config;
import dev.ragdesk.rag.Fields;
import org.apache.solr.client.solrj.SolrRequest;
import org.apache.solr.client.solrj.SolrServerException;
import org.apache.solr.client.solrj.impl.CloudHttp2SolrClient;
import org.apache.solr.client.solrj.impl.CloudSolrClient;
import org.apache.solr.client.solrj.impl.Http2SolrClient;
import org.apache.solr.client.solrj.impl.HttpListenerFactory;
import org.apache.solr.client.solrj.request.CollectionAdminRequest;
import org.apache.solr.client.solrj.request.GenericSolrRequest;
import org.apache.solr.client.solrj.request.ConfigSetAdminRequest;
import org.apache.solr.client.solrj.request.QueryRequest;
import org.apache.solr.client.solrj.request.schema.SchemaRequest;
import org.apache.solr.client.solrj.response.QueryResponse;
import org.apache.solr.common.SolrException;
import org.apache.solr.common.params.SolrParams;
import org.apache.solr.common.util.ContentStreamBase;
import org.eclipse.jetty.client.api.Request;
import org.eclipse.jetty.http.HttpHeader;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection to the team's SolrCloud collection ([solr]): SolrJ's cloud client, which
 * learns the cluster's nodes and shard leaders and sends each update to its shard's leader.
 * Credentials come from the environment variable the config names and are sent only in
 * request headers; they never reach a log, a message or a command line. Every Solr error
 * becomes one line that says what to do, and a request that failed because a node went away
 * is retried for a while, since the collection's other replicas take over.
 */
public final class SolrCollection implements AutoCloseable {
    /** How long a request that failed on a node that went away is retried: a shard's new leader is elected in seconds. */
    private static final long RETRY_FOR_MS = 30_000;

    private final Config.Solr settings;
    private final Http2SolrClient.Builder httpBuilder;
    private final CloudHttp2SolrClient.Builder builder;
    private final boolean credentials;
    /** Built at the first request: a console whose cluster is down still starts, and says so when it searches. */
    private Http2SolrClient http;
    private CloudSolrClient client;

    private SolrCollection(Config.Solr settings, Http2SolrClient.Builder httpBuilder, CloudHttp2SolrClient.Builder builder,
                           boolean credentials) {
        this.settings = settings;
        this.httpBuilder = httpBuilder;
        this.builder = builder;
        this.credentials = credentials;
    }

    /**
     * The collection [solr] names, with the credentials its variables hold (a variable that is
     * not set is said at once). The cluster is first reached by the first request.
     */
    public static SolrCollection connect(Config.Solr settings, Map<String, String> env) throws RagdeskException {
        if (!settings.hasAddress()) {
            throw new RagdeskException("[solr] has neither url nor zk_hosts; give the cluster's address in config.toml (see the README)");
        }
        // a hung node ends a request in a minute, not five: the largest batch (256 files, 2,560 chunks in `bench index`) takes
        // about 3 s at the measured 765 chunks/s
        var http = new Http2SolrClient.Builder()
                .withConnectionTimeout(10, TimeUnit.SECONDS)
                .withIdleTimeout(60, TimeUnit.SECONDS)
                .withRequestTimeout(60, TimeUnit.SECONDS);
        boolean credentials = false;
        if (!settings.user().isEmpty()) {
            http.withBasicAuthCredentials(settings.user(), secret(env, settings.passwordEnv(), "password_env"));
            credentials = true;
        } else if (!settings.apiKeyEnv().isEmpty()) {
            var header = "Bearer " + secret(env, settings.apiKeyEnv(), "api_key_env");
            HttpListenerFactory bearer = () -> new HttpListenerFactory.RequestResponseListener() {
                @Override
                public void onQueued(Request request) {
                    request.headers(h -> h.put(HttpHeader.AUTHORIZATION, header));
                }
            };
            http.withListenerFactory(List.of(bearer));
            // a bearer key is for a gateway in front of Solr: HTTP/1.1, which every proxy speaks (Solr's own h2c is not)
            http.useHttp1_1(true);
            credentials = true;
        }
        CloudHttp2SolrClient.Builder builder;
        if (settings.zkHosts().isEmpty()) {
            builder = new CloudHttp2SolrClient.Builder(settings.urls());
        } else {
            int slash = settings.zkHosts().indexOf('/');
            var hosts = slash < 0 ? settings.zkHosts() : settings.zkHosts().substring(0, slash);
            var chroot = slash < 0 ? Optional.<String>empty() : Optional.of(settings.zkHosts().substring(slash));
            builder = new CloudHttp2SolrClient.Builder(Arrays.stream(hosts.split(",")).map(String::trim).toList(), chroot)
                    .withZkConnectTimeout(10, TimeUnit.SECONDS);
        }
        builder.withDefaultCollection(settings.collection());
        return new SolrCollection(settings, http, builder, credentials);
    }

    /**
     * The cloud client, on one HTTP client that carries the credentials: the cloud client's own
     * reading of the cluster's nodes would otherwise go out on a client of its own, without them.
     */
    private synchronized CloudSolrClient client() {
        if (http == null) http = httpBuilder.build();
        if (client == null) client = builder.withHttpClient(http).build(); // reads the cluster's nodes: fails like a request when it cannot
        return client;
    }

    private static String secret(Map<String, String> env, String variable, String key) throws RagdeskException {
        var value = env.get(variable);
        if (value == null || value.isEmpty()) {
            throw new RagdeskException("[solr]." + key + " names $" + variable + ", which is not set here; export it, then run again");
        }
        return value;
    }

    Config.Solr settings() {
        return settings;
    }

    /** "solr collection "docs" at http://…": for status lines and messages. */
    public String where() {
        return "solr collection " + settings.describe();
    }

    /** A request to run against the collection, retried while a node's replicas take over. */
    @FunctionalInterface
    interface Call<T> {
        T run(CloudSolrClient client, String collection) throws SolrServerException, IOException;
    }

    /**
     * Runs {@code call}; a failure that another replica may not have (a node that went away, a
     * shard whose leader is being elected) is retried for up to {@link #RETRY_FOR_MS}, then it,
     * like any other failure, is one line saying what to do. {@code doing}: "search", "index", ….
     */
    <T> T run(String doing, Call<T> call) throws RagdeskException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RETRY_FOR_MS);
        long pause = 250;
        while (true) {
            try {
                return call.run(client(), settings.collection());
            } catch (SolrServerException | IOException | RuntimeException e) {
                if (!worthRetrying(e) || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause) > deadline) {
                    throw explain(doing, e);
                }
                try {
                    Thread.sleep(pause); // backing off between tries of a request, not waiting for a result
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new RagdeskException("stopped while Solr was retried", interrupted);
                }
                pause = Math.min(pause * 2, 4000);
            }
        }
    }

    /** A query of the collection's /select (or another handler), sent as a POST: a long question makes a long request. */
    QueryResponse query(String doing, String handler, SolrParams params) throws RagdeskException {
        return run(doing, (c, collection) -> {
            var request = new QueryRequest(params, SolrRequest.METHOD.POST);
            request.setPath(handler);
            return request.process(c, collection);
        });
    }

    /**
     * The vector size of the collection's schema, after checking it was made by this version of
     * ragdesk. 0 when it has no vector field.
     */
    public int checkSchema() throws RagdeskException {
        var name = run("read the schema of", (c, collection) -> new SchemaRequest.SchemaName().process(c, collection).getSchemaName());
        if (!SolrConfigset.SCHEMA_NAME.equals(name)) {
            throw new RagdeskException("the Solr collection " + settings.describe() + " has the schema \"" + name + "\", not ragdesk's \""
                    + SolrConfigset.SCHEMA_NAME + "\" (another ragdesk version or another application made it); create one for this "
                    + "version: set [solr].collection to a new name and run `ragdesk index --backend solr --init`");
        }
        var fields = run("read the schema of", (c, collection) -> new SchemaRequest.Fields().process(c, collection).getFields());
        for (var field : fields) {
            int dimensions = Fields.dimensionsOf(String.valueOf(field.get("name")));
            if (dimensions > 0) return dimensions;
        }
        return 0;
    }

    /** The collection [solr] names is not in the cluster. */
    static final class MissingCollection extends RagdeskException {
        MissingCollection(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Asked of the collection itself, not the Collections API: a user who may search may not list collections. */
    public boolean exists() throws RagdeskException {
        try {
            run("read the schema of", (c, collection) -> new SchemaRequest.SchemaName().process(c, collection));
            return true;
        } catch (MissingCollection e) {
            return false;
        }
    }

    /**
     * Creates the collection, with [solr].shards and .replicas, from the configset written for
     * vectors of {@code dimensions} (uploaded under its own name, so collections of other vector
     * sizes keep theirs).
     */
    public void create(int dimensions) throws RagdeskException {
        byte[] zip;
        try {
            zip = SolrConfigset.zip(dimensions);
        } catch (IOException e) {
            throw new RagdeskException("cannot write the Solr configset: " + e.getMessage(), e);
        }
        var configset = SolrConfigset.name(dimensions);
        run("upload the configset to", (c, collection) -> new ConfigSetAdminRequest.Upload()
                .setConfigSetName(configset)
                .setUploadStream(new ContentStreamBase.ByteArrayStream(zip, configset + ".zip", "application/zip"))
                .setOverwrite(true)
                .process(c));
        run("create", (c, collection) -> {
            var create = CollectionAdminRequest.createCollection(collection, configset, settings.shards(), settings.replicas());
            create.setWaitForFinalState(true);
            return create.process(c);
        });
    }

    /** Deletes the collection and all it holds: for a benchmark's own collection, never the team's. */
    public void delete() throws RagdeskException {
        run("delete", (c, collection) -> CollectionAdminRequest.deleteCollection(collection).process(c));
    }

    /** A failure that another replica, or the same one a moment later, may not have. */
    private static boolean worthRetrying(Throwable e) {
        for (var t = e; t != null; t = t.getCause()) {
            if (t instanceof SolrException s) {
                int code = s.code();
                if (code == 503 || code == 510 || code == 502 || code == 504) return true;
                if (code >= 400 && code < 500) return false;
            }
            if (t instanceof ConnectException || t instanceof ClosedChannelException || t instanceof TimeoutException) return true;
            var message = String.valueOf(t.getMessage());
            if (message.contains("No live SolrServers") || message.contains("No registered leader")
                    || message.contains("Connection refused") || message.contains("closed")) return true;
        }
        return false;
    }

    /**
     * One line for any Solr failure: what went wrong and what to do. SolrJ reports a cluster whose
     * nodes it could not list without saying why; a direct request to a node tells a refusal (401,
     * 403) from a node that is not there.
     */
    private RagdeskException explain(String doing, Throwable e) {
        var message = String.valueOf(e.getMessage());
        if ((message.contains("Failed fetching live_nodes") || message.contains("Error refreshing state")) && http != null) {
            for (var url : settings.urls()) {
                try {
                    http.requestWithBaseUrl(url, null, new GenericSolrRequest(SolrRequest.METHOD.GET, "/admin/info/system"));
                } catch (SolrServerException | IOException | RuntimeException probe) {
                    if (probe instanceof SolrException s && (s.code() == 401 || s.code() == 403)) return explain(settings, credentials, doing, probe);
                }
            }
        }
        return explain(settings, credentials, doing, e);
    }

    static RagdeskException explain(Config.Solr settings, boolean credentials, String doing, Throwable e) {
        var where = settings.describe();
        for (var t = e; t != null; t = t.getCause()) {
            var message = String.valueOf(t.getMessage());
            if (t instanceof SolrException s && s.code() == 401 || message.contains("401") && message.contains("Unauthorized")) {
                return new RagdeskException("the Solr cluster refused ragdesk (401: " + (credentials ? "wrong credentials" : "it needs credentials")
                        + ") for " + where + "; " + (credentials ? "check [solr].user and the password in $" + settings.passwordEnv()
                        + (settings.apiKeyEnv().isEmpty() ? "" : ", or the key in $" + settings.apiKeyEnv())
                        : "set [solr].user and [solr].password_env (or [solr].api_key_env) in config.toml"), e);
            }
            if (t instanceof SolrException s && s.code() == 403) {
                return new RagdeskException("the Solr user may not " + doing + " " + where + " (403); ask the cluster's administrators "
                        + "for that permission", e);
            }
            if (message.contains("Collection not found") || message.contains("Could not find collection")
                    || message.contains("Can not find: /solr/" + settings.collection())) {
                return new MissingCollection("there is no collection " + where + "; create it with `ragdesk index --backend solr --init`,"
                        + " or set [solr].collection to an existing one", e);
            }
            if (t instanceof ConnectException || t instanceof UnknownHostException || message.contains("Connection refused")
                    || message.contains("from none of them") || message.contains("No live SolrServers")
                    || message.contains("Failed fetching live_nodes") || message.contains("Error refreshing state")
                    || t instanceof TimeoutException || message.contains("Could not connect to ZooKeeper")) {
                return new RagdeskException("cannot reach the Solr cluster for " + where + " (" + firstLine(message) + "); check "
                        + (settings.zkHosts().isEmpty() ? "[solr].url" : "[solr].zk_hosts") + " and that Solr is running", e);
            }
        }
        return new RagdeskException("Solr could not " + doing + " " + where + ": " + firstLine(String.valueOf(e.getMessage())), e);
    }

    private static String firstLine(String message) {
        var line = message.lines().findFirst().orElse("").strip();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    @Override
    public synchronized void close() {
        try {
            if (client != null) client.close();
            if (http != null) http.close();
        } catch (IOException e) {
            // closing a client frees its threads and sockets; there is nothing to tell the user
        }
        client = null;
        http = null;
    }
}
