package dev.ragdesk.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Talks to the Hugging Face Hub (or anything that speaks its protocol at {@code HF_ENDPOINT}).
 * One OkHttp client is built once; the token is added by an interceptor, only for requests to
 * the hub's own host, so it never follows a redirect to a CDN.
 */
public final class HubClient {
    private final HttpUrl endpoint;
    private final OkHttpClient client;
    private final OkHttpClient noRedirects;

    /** {@code token} may be null or empty for anonymous access. */
    public HubClient(String endpoint, String token) {
        this(endpoint, token, new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(20))
                .readTimeout(Duration.ofSeconds(60))
                .build());
    }

    HubClient(String endpoint, String token, OkHttpClient base) {
        var url = HttpUrl.parse(endpoint);
        if (url == null) throw new IllegalArgumentException("not an http(s) URL: " + endpoint);
        this.endpoint = url;
        this.client = base.newBuilder().addInterceptor(new BearerToken(url.host(), token)).build();
        this.noRedirects = client.newBuilder().followRedirects(false).followSslRedirects(false).build();
    }

    /** Picks the endpoint ({@code $HF_ENDPOINT} wins) and token ({@code $<token_env>}) from the environment. */
    public static HubClient fromEnvironment(Map<String, String> env, String configuredEndpoint, String tokenEnv) throws HubException {
        boolean fromEnv = !env.getOrDefault("HF_ENDPOINT", "").isBlank();
        var endpoint = fromEnv ? env.get("HF_ENDPOINT").strip() : configuredEndpoint;
        if (HttpUrl.parse(endpoint) == null) {
            throw new HubException(0, (fromEnv ? "HF_ENDPOINT" : "[hub].endpoint") + " is not an http(s) URL: \"" + endpoint
                    + "\"; set it to one such as https://huggingface.co, or unset it");
        }
        return new HubClient(endpoint.replaceAll("/+$", ""), env.get(tokenEnv));
    }

    public HttpUrl endpoint() { return endpoint; }

    OkHttpClient http() { return client; }

    public HttpUrl resolveUrl(String repo, String revision, String file) {
        return endpoint.newBuilder().addPathSegments(repo).addPathSegment("resolve").addPathSegment(revision)
                .addPathSegments(file).build();
    }

    /** Size, hash and commit of a file, from a HEAD request that does not follow the CDN redirect; no retries. */
    public HubFile describe(String repo, String revision, String file) throws HubException {
        try {
            return describeOnce(repo, revision, file);
        } catch (Retryable r) {
            throw new HubException(r.status, "the hub answered " + r.getMessage() + " for " + repo + " " + file + "; try again later");
        }
    }

    /** One HEAD request; a transient refusal (429, 5xx, a dropped connection) is left to the caller's retries. */
    HubFile describeOnce(String repo, String revision, String file) throws HubException, Retryable {
        var url = resolveUrl(repo, revision, file);
        var request = url;
        for (int hops = 0; hops < 5; hops++) {
            try (var response = noRedirects.newCall(new Request.Builder().url(request).head().build()).execute()) {
                var linkedSize = response.header("X-Linked-Size");
                if (response.isRedirect() && linkedSize == null) {
                    var location = response.header("Location");
                    var next = location == null ? null : request.resolve(location);
                    if (next != null && next.host().equals(endpoint.host())) { // a renamed repo: same host, ask again
                        request = next;
                        continue;
                    }
                }
                Retryable.throwIfTransient(response);
                if (!response.isSuccessful() && !response.isRedirect()) throw failure(response.code(), repo, file, revision);
                long size = linkedSize != null ? Long.parseLong(linkedSize) : contentLength(response);
                var sha = unquote(response.header("X-Linked-Etag", ""));
                if (!sha.matches("[0-9a-f]{64}")) sha = "";
                return new HubFile(repo, revision, file, size, sha, response.header("X-Repo-Commit", ""), url);
            } catch (ConnectException | UnknownHostException e) {
                // nothing listens there, or no such host: waiting will not change that
                throw new HubException(0, "cannot reach " + endpoint + " (" + e.getMessage() + "); check the network or HF_ENDPOINT");
            } catch (IOException e) {
                throw new Retryable(0, "cannot reach " + endpoint + " (" + e.getMessage() + ")", null);
            } catch (NumberFormatException e) {
                throw new HubException(0, "the hub sent an unreadable size for " + repo + " " + file);
            }
        }
        throw new HubException(0, "too many redirects resolving " + repo + " " + file);
    }

    /** The repository's file names, from {@code /api/models/{repo}}. */
    public List<String> listFiles(String repo, String revision) throws HubException {
        var url = endpoint.newBuilder().addPathSegment("api").addPathSegment("models").addPathSegments(repo);
        if (!"main".equals(revision)) url.addPathSegment("revision").addPathSegment(revision);
        try (var response = client.newCall(new Request.Builder().url(url.build()).get().build()).execute()) {
            if (!response.isSuccessful()) throw failure(response.code(), repo, "", revision);
            JsonNode json = JsonMapper.builder().build().readTree(response.body().byteStream());
            var names = new ArrayList<String>();
            json.path("siblings").forEach(s -> names.add(s.path("rfilename").asText()));
            return names;
        } catch (HubException e) {
            throw e;
        } catch (IOException e) {
            throw new HubException(0, "cannot list the files of " + repo + " (" + e.getMessage() + ")");
        }
    }

    /**
     * The repository's name for {@code wanted}: itself if present, else the one file that
     * differs only in case or punctuation (QuantFactory writes "sarvam-1.Q4_K_M.gguf" where
     * others write "sarvam-1-Q4_K_M.gguf"). Fails listing the close matches otherwise.
     */
    public String resolveFileName(String repo, String revision, String wanted) throws HubException {
        var files = listFiles(repo, revision);
        return FileNames.match(repo, wanted, files);
    }

    static HubException failure(int status, String repo, String file, String revision) {
        var what = file.isEmpty() ? repo : repo + " " + file;
        return switch (status) {
            case 401, 403 -> new HubException(status, "the hub refused access to " + what + " (HTTP " + status + "): set HF_TOKEN to a "
                    + "token that may read it, and accept the model's licence at https://huggingface.co/" + repo);
            case 404 -> new HubException(status, "not found on the hub: " + (file.isEmpty()
                    ? "no repository " + repo : repo + " has no file " + file + " at revision " + revision)
                    + "; check [models.*] repo/file in config.toml");
            default -> new HubException(status, "the hub answered HTTP " + status + " for " + what + "; try again later");
        };
    }

    private static long contentLength(Response response) {
        var length = response.header("Content-Length");
        return length == null ? -1 : Long.parseLong(length);
    }

    private static String unquote(String etag) {
        return etag.replaceFirst("^W/", "").replace("\"", "").toLowerCase(Locale.ROOT).trim();
    }

    /** Adds the Authorization header to requests for the hub's host alone. */
    private record BearerToken(String hubHost, String token) implements Interceptor {
        @Override
        public Response intercept(Chain chain) throws IOException {
            var request = chain.request();
            if (token == null || token.isBlank() || !request.url().host().equals(hubHost)) return chain.proceed(request);
            return chain.proceed(request.newBuilder().header("Authorization", "Bearer " + token.trim()).build());
        }
    }
}
