package dev.ragdesk.engine.server;

import dev.ragdesk.io.RandomHex;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.newsclub.net.unix.AFSocketFactory;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One llama-server process, started so that no other user of the machine can reach it:
 * <ul>
 *   <li>it listens on a Unix socket in a 0700 folder, never on TCP;</li>
 *   <li>it wants a random per-launch key, passed in its environment ({@code LLAMA_API_KEY}),
 *       which only this user can read, never on a command line that {@code ps} shows everyone;</li>
 *   <li>before a request carries the key, the kernel says which process holds the other end of
 *       the socket (SO_PEERCRED): it must be this server, so a process squatting the address
 *       is never sent the key or a prompt;</li>
 *   <li>a server that answers without the key is refused ({@link #requireKeyEnforced});</li>
 *   <li>it runs in a session of its own (the terminal's Ctrl-C reaches the app, which decides)
 *       with a {@link Watchdog} that kills it if the app dies, kill -9 included.</li>
 * </ul>
 * Used by the llama-server engine and by the benchmarks' bare baseline alike.
 */
public final class ServerProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServerProcess.class);
    private static final Logger serverLog = LoggerFactory.getLogger("llama-server");

    private final Process process;
    private final Path socket;
    private final String apiKey;
    private final Watchdog watchdog;
    private final OkHttpClient keyed;
    private final OkHttpClient keyless;
    private final CompletableFuture<Void> outputRead;
    /** Whether the socket file is this server's: it answered on it, through the peer check. Only then is it removed. */
    private volatile boolean socketIsOurs;
    /** Released when the server logs that it is ready, so /health is asked then and not every few ms meanwhile. */
    private final Semaphore readyCue = new Semaphore(0);

    private ServerProcess(Process process, Path socket, AFUNIXSocketAddress address, String apiKey, OkHttpClient base,
                          Executor threads, Consumer<String> output) {
        this.process = process;
        this.socket = socket;
        this.apiKey = apiKey;
        this.watchdog = guard(process.pid());
        var factory = new AFSocketFactory.FixedAddressSocketFactory(address);
        this.keyless = base.newBuilder().socketFactory(factory).addNetworkInterceptor(this::requirePeerIsServer).build();
        this.keyed = keyless.newBuilder().addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
                .header("Authorization", "Bearer " + apiKey).build())).build();
        this.outputRead = readOutput(threads, output);
    }

    /**
     * Starts {@code binary args} listening on {@code socket}. Returns at once; {@link #awaitHealthy}
     * waits for the model to load. Its output goes to the log, the key masked, and each line to {@code output}.
     */
    public static ServerProcess start(Path binary, Map<String, String> environment, List<String> args, Path socket, OkHttpClient base,
                                      Executor threads, Consumer<String> output) throws IOException {
        var address = address(socket); // before anything starts: nothing to clean up if the path cannot be a socket
        var apiKey = RandomHex.of(24);
        var cmd = new ArrayList<String>();
        cmd.add(binary.toString());
        cmd.addAll(args);
        cmd.addAll(List.of("--host", socket.toString(), "--no-webui"));
        var builder = new ProcessBuilder(Watchdog.inOwnSession(cmd)).redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.environment().put("LLAMA_API_KEY", apiKey);
        var process = builder.start();
        process.getOutputStream().close();
        return new ServerProcess(process, socket, address, apiKey, base, threads, output);
    }

    private static AFUNIXSocketAddress address(Path socket) throws IOException {
        try {
            return AFUNIXSocketAddress.of(socket);
        } catch (SocketException e) {
            throw new IOException("cannot use " + socket + " as a socket address: " + e.getMessage(), e);
        }
    }

    private static Watchdog guard(long pid) {
        try {
            return Watchdog.guard(pid);
        } catch (IOException e) {
            log.warn("no watchdog for llama-server {}: {}", pid, e.toString());
            return null;
        }
    }

    /** The network interceptor runs once the connection is open and before a byte of the request is written. */
    private Response requirePeerIsServer(Interceptor.Chain chain) throws IOException {
        var connection = chain.connection();
        if (connection == null || !(connection.socket() instanceof AFUNIXSocket unix)) {
            throw new IOException("refusing to talk to llama-server over anything but its own Unix socket");
        }
        long peer = unix.getPeerCredentials().getPid();
        if (peer != process.pid()) {
            throw new IOException("the process listening on " + socket + " (pid " + peer + ") is not the llama-server ragdesk started (pid "
                    + process.pid() + "); nothing was sent to it");
        }
        return chain.proceed(chain.request());
    }

    public long pid() { return process.pid(); }

    public Process process() { return process; }

    public Path socket() { return socket; }

    /** Requests through this carry the key and reach only this server. */
    public OkHttpClient client() { return keyed; }

    public HttpUrl url(String path) {
        return HttpUrl.get("http://localhost" + path);
    }

    public enum Health { OK, ADDRESS_TAKEN, EXITED, STOPPED }

    /**
     * Asks /health (503 while loading, 200 when ready) when the server logs "model loaded" or
     * "listening on", and every 10 ms (100 ms after two seconds) in case a build words it
     * otherwise: probing every few ms took CPU from the load itself on a 2-core machine.
     */
    public Health awaitHealthy(BooleanSupplier stopping, Supplier<String> recentOutput)
            throws InterruptedException {
        var health = new Request.Builder().url(url("/health")).get().build();
        var probe = keyless.newBuilder().readTimeout(Duration.ofSeconds(2)).callTimeout(Duration.ofSeconds(3)).build();
        long started = System.nanoTime();
        while (process.isAlive() && !stopping.getAsBoolean()) {
            if (Files.exists(socket)) {
                try (var response = probe.newCall(health).execute()) {
                    socketIsOurs = true; // the peer check passed: the server listening there is ours
                    if (response.code() == 200) return Health.OK;
                } catch (IOException notYetListening) {
                    log.debug("llama-server {} not answering yet: {}", pid(), notYetListening.getMessage());
                }
            }
            boolean firstSeconds = System.nanoTime() - started < TimeUnit.SECONDS.toNanos(2);
            readyCue.tryAcquire(firstSeconds ? 10 : 100, TimeUnit.MILLISECONDS);
            readyCue.drainPermits();
            if (Thread.interrupted()) throw new InterruptedException();
        }
        if (stopping.getAsBoolean()) return Health.STOPPED;
        process.waitFor(5, TimeUnit.SECONDS);
        try {
            outputRead.get(2, TimeUnit.SECONDS); // its last log lines, which say why
        } catch (ExecutionException | TimeoutException e) {
            log.debug("llama-server's last output: {}", e.toString());
        }
        var said = recentOutput.get().toLowerCase(Locale.ROOT);
        return said.contains("couldn't bind") || said.contains("address already in use") ? Health.ADDRESS_TAKEN : Health.EXITED;
    }

    /**
     * A server that answers a keyed endpoint without the key would serve every local user who
     * can reach it: such a binary (an old build, a wrapper that drops the environment) is refused.
     */
    public void requireKeyEnforced(Path binary) throws IOException {
        try (var response = keyless.newCall(new Request.Builder().url(url("/v1/models")).get().build()).execute()) {
            if (response.code() != 401) {
                throw new KeyNotEnforced(binary + " answered without its API key (HTTP " + response.code()
                        + "), so it would serve anyone who reaches it; ragdesk will not use it. Run `ragdesk engine install`"
                        + " for a llama-server that honours LLAMA_API_KEY");
            }
        }
        try (var response = keyed.newCall(new Request.Builder().url(url("/v1/models")).get().build()).execute()) {
            if (!response.isSuccessful()) throw new IOException("llama-server refused its own key (HTTP " + response.code() + ")");
        }
    }

    /** The server does not check its key: not a passing fault, so no retry. */
    public static final class KeyNotEnforced extends IOException {
        KeyNotEnforced(String message) { super(message); }
    }

    /** Reads the server's output (stderr merged into stdout), the key masked. */
    private CompletableFuture<Void> readOutput(Executor threads, Consumer<String> output) {
        var done = new CompletableFuture<Void>();
        threads.execute(() -> {
            try (var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.contains(apiKey)) line = line.replace(apiKey, "***"); // the key never reaches the log
                    if (line.contains("model loaded") || line.contains("listening on")) readyCue.release();
                    serverLog.info("[{}] {}", process.pid(), line);
                    output.accept(line);
                }
            } catch (IOException | RuntimeException e) {
                log.debug("llama-server {} output ended: {}", process.pid(), e.toString());
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    /**
     * After the process ended, by any hand: the watchdog goes, and the socket file if it was this
     * server's (a server that could not bind leaves the file to whoever holds it; one that died
     * before answering leaves a stale file, which the next launcher removes).
     */
    public void ended() {
        if (watchdog != null) watchdog.end();
        if (!socketIsOurs) return;
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            log.debug("cannot remove {}: {}", socket, e.toString());
        }
    }

    /** SIGKILL, waits until the process is gone (only then is its memory free), then {@link #ended}. */
    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ended();
    }
}
