package dev.ragdesk.models;

import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;

import java.io.IOException;
import java.net.InetAddress;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * Two real HTTP servers on loopback that speak the Hugging Face Hub's protocol: the hub
 * ({@code /{repo}/resolve/{rev}/{file}} answering with X-Linked-* headers and a redirect, and
 * {@code /api/models/{repo}}), and a second host as the CDN that serves the bytes with Range
 * support. Tests script failures on the CDN and read back every request.
 */
final class FakeHub implements AutoCloseable {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    final MockWebServer hub = new MockWebServer();
    final MockWebServer cdn = new MockWebServer();
    final List<RecordedRequest> hubRequests = Collections.synchronizedList(new ArrayList<>());
    final List<RecordedRequest> cdnRequests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Map<String, byte[]>> repos = new LinkedHashMap<>();
    /** Scripted CDN behaviours, used up one per request before normal service resumes. */
    final Queue<UnaryOperator<MockResponse>> cdnScript = new ArrayDeque<>();
    /** The same for the hub's own answers (HEAD and the file listing). */
    final Queue<UnaryOperator<MockResponse>> hubScript = new ArrayDeque<>();
    volatile String requiredToken;
    volatile boolean ignoreRange;
    volatile long throttleBytesPer50ms;

    FakeHub() throws IOException {
        hub.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                hubRequests.add(request);
                var scripted = hubScript.poll();
                var normal = hubResponse(request);
                return scripted == null ? normal : scripted.apply(normal);
            }
        });
        cdn.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                cdnRequests.add(request);
                return cdnResponse(request);
            }
        });
        hub.start(InetAddress.getLoopbackAddress(), 0);
        cdn.start(InetAddress.getLoopbackAddress(), 0);
    }

    String endpoint() {
        return hub.url("/").toString().replaceAll("/$", "");
    }

    /** Adds a file of seeded random bytes and returns them. */
    byte[] addFile(String repo, String file, int size) {
        var bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        repos.computeIfAbsent(repo, r -> new LinkedHashMap<>()).put(file, bytes);
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private MockResponse hubResponse(RecordedRequest request) {
        var path = request.getRequestUrl().encodedPath();
        if (requiredToken != null && !("Bearer " + requiredToken).equals(request.getHeader("Authorization"))) {
            return new MockResponse().setResponseCode(401);
        }
        if (path.startsWith("/api/models/")) {
            var repo = path.substring("/api/models/".length());
            var files = repos.get(repo);
            if (files == null) return new MockResponse().setResponseCode(404);
            var json = new StringBuilder("{\"id\":\"" + repo + "\",\"siblings\":[");
            var first = true;
            for (var name : files.keySet()) {
                json.append(first ? "" : ",").append("{\"rfilename\":\"").append(name).append("\"}");
                first = false;
            }
            return new MockResponse().setBody(json.append("]}").toString()).setHeader("Content-Type", "application/json");
        }
        int resolve = path.indexOf("/resolve/");
        if (resolve < 0) return new MockResponse().setResponseCode(404);
        var repo = path.substring(1, resolve);
        var rest = path.substring(resolve + "/resolve/".length());
        var file = rest.substring(rest.indexOf('/') + 1);
        var bytes = repos.getOrDefault(repo, Map.of()).get(file);
        if (bytes == null) return new MockResponse().setResponseCode(404);
        var sha = sha256(bytes);
        return new MockResponse().setResponseCode(302)
                .setHeader("Location", cdn.url("/blobs/" + sha))
                .setHeader("X-Linked-Size", bytes.length)
                .setHeader("X-Linked-Etag", "\"" + sha + "\"")
                .setHeader("X-Repo-Commit", COMMIT)
                .setHeader("ETag", "\"" + sha + "\"");
    }

    private MockResponse cdnResponse(RecordedRequest request) {
        var sha = request.getRequestUrl().encodedPath().replace("/blobs/", "");
        byte[] bytes = null;
        for (var files : repos.values()) {
            for (var b : files.values()) if (sha256(b).equals(sha)) bytes = b;
        }
        if (bytes == null) return new MockResponse().setResponseCode(404);
        var response = new MockResponse();
        var range = request.getHeader("Range");
        if (range != null && !ignoreRange) {
            long start = Long.parseLong(range.replaceAll("bytes=(\\d+)-.*", "$1"));
            var body = Arrays.copyOfRange(bytes, (int) start, bytes.length);
            response.setResponseCode(206).setHeader("Content-Range", "bytes " + start + "-" + (bytes.length - 1) + "/" + bytes.length)
                    .setBody(new Buffer().write(body));
        } else {
            response.setResponseCode(200).setBody(new Buffer().write(bytes));
        }
        if (throttleBytesPer50ms > 0) response.throttleBody(throttleBytesPer50ms, 50, TimeUnit.MILLISECONDS);
        var scripted = cdnScript.poll();
        return scripted == null ? response : scripted.apply(response);
    }

    static UnaryOperator<MockResponse> status(int code) {
        return r -> new MockResponse().setResponseCode(code);
    }

    static UnaryOperator<MockResponse> tooManyRequests(int retryAfterSeconds) {
        return r -> new MockResponse().setResponseCode(429).setHeader("Retry-After", retryAfterSeconds);
    }

    static UnaryOperator<MockResponse> dropMidBody() {
        return r -> r.setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY);
    }

    @Override
    public void close() throws IOException {
        hub.shutdown();
        cdn.shutdown();
    }
}
