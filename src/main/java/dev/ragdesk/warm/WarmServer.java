package dev.ragdesk.warm;

import dev.ragdesk.io.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A JVM that stays up after a command so the next ones skip the JVM's start, class loading and
 * JIT warm-up: it answers command lines on 127.0.0.1, each on its own thread, and exits once
 * idle for {@code idleLimit}, or as soon as a client from another build or environment asks
 * (that client then starts a fresh one). Its port and two per-launch tokens are in an endpoint
 * file inside {@code .data} (0700): other users of a shared machine can reach the port but not
 * the tokens (see {@link WarmProtocol}). One per workspace, held by a lock file the kernel
 * releases if the process is killed.
 */
public final class WarmServer {
    private static final Logger log = LoggerFactory.getLogger(WarmServer.class);

    /** Runs one command line as the command-line entry point would, printing into the given writers. */
    @FunctionalInterface
    public interface Runner {
        int run(List<String> args, PrintWriter out, PrintWriter err);
    }

    private static final int REQUEST_TIMEOUT_MS = 10_000;
    /** Searches at once; more wait their turn (each wants a core anyway). */
    private static final int MAX_CONCURRENT = 8;

    private final Path endpointFile;
    private final Path lockFile;
    private final String fingerprint;
    private final Runner runner;
    private final Supplier<Duration> idleLimit;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long lastActivity = System.nanoTime();
    private volatile boolean stopping;
    private volatile Selector selector;
    private final CompletableFuture<Boolean> listening = new CompletableFuture<>();

    private final String serverToken = newToken();
    private final String clientToken = newToken();

    public WarmServer(Path endpointFile, Path lockFile, String fingerprint, Runner runner, Supplier<Duration> idleLimit) {
        this.endpointFile = endpointFile;
        this.lockFile = lockFile;
        this.fingerprint = fingerprint;
        this.runner = runner;
        this.idleLimit = idleLimit;
    }

    /**
     * Serves until idle or replaced; returns false without serving when another server holds
     * the workspace (one that is exiting is waited for, briefly). {@code warmUp} runs once the
     * workspace is this server's and before clients can find it.
     */
    public boolean serve(Runnable warmUp) throws IOException {
        try (var lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            var lock = acquire(lockChannel, Duration.ofSeconds(10));
            if (lock == null) {
                log.info("another warm server holds {}; not starting", lockFile);
                listening.complete(false);
                return false;
            }
            // who serves, for `ps` and for tools that stop it
            lockChannel.truncate(0);
            lockChannel.write(java.nio.ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            // the lock is ours, so an endpoint file here is a dead server's
            Files.deleteIfExists(endpointFile);
            warmUp.run();
            var pool = Executors.newFixedThreadPool(MAX_CONCURRENT, runnable -> {
                var thread = new Thread(runnable, "ragdesk-warm-request");
                thread.setDaemon(true);
                return thread;
            });
            try (var server = ServerSocketChannel.open(); var sel = Selector.open()) {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                server.configureBlocking(false);
                server.register(sel, SelectionKey.OP_ACCEPT);
                selector = sel;
                if (stopping) return true;
                int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
                // written whole (temp file, rename; 0600): a client never reads half a line
                AtomicFiles.writeString(endpointFile, new WarmProtocol.Endpoint(port, serverToken, clientToken).line());
                log.info("warm server listening on 127.0.0.1:{} (pid {})", port, ProcessHandle.current().pid());
                listening.complete(true);
                acceptUntilIdle(server, sel, pool);
            } finally {
                listening.complete(false);
                Files.deleteIfExists(endpointFile);
                pool.shutdown();
                awaitQuietly(pool);
                log.info("warm server stopped");
            }
            return true;
        }
    }

    private void acceptUntilIdle(ServerSocketChannel server, Selector sel, ExecutorService pool) throws IOException {
        while (!stopping) {
            long idleNanos = idleLimit.get().toNanos();
            long quietFor = System.nanoTime() - lastActivity;
            if (inFlight.get() == 0 && quietFor >= idleNanos) return;
            // woken at least every 30 s: warm_minutes set to 0 in config.toml stops it soon
            long waitMillis = Math.min(30_000, Math.max(1, TimeUnit.NANOSECONDS.toMillis(idleNanos - quietFor) + 1));
            sel.select(inFlight.get() > 0 ? 1000 : waitMillis);
            sel.selectedKeys().clear();
            SocketChannel client;
            while ((client = server.accept()) != null) {
                inFlight.incrementAndGet();
                lastActivity = System.nanoTime();
                var accepted = client;
                pool.execute(() -> answer(accepted));
            }
        }
    }

    private void answer(SocketChannel client) {
        try (client) {
            client.configureBlocking(true);
            // the socket's own streams, which honour a read timeout: a connection that sends nothing
            // (another user's port scan) must not hold a thread, or keep the server from idling out
            client.socket().setSoTimeout(REQUEST_TIMEOUT_MS);
            var in = new DataInputStream(new BufferedInputStream(client.socket().getInputStream()));
            var out = new DataOutputStream(new BufferedOutputStream(client.socket().getOutputStream()));
            WarmProtocol.writeGreeting(out, serverToken);
            var token = WarmProtocol.readClientToken(in);
            if (!MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), clientToken.getBytes(StandardCharsets.UTF_8))) {
                log.warn("a connection without this server's token was closed");
                return;
            }
            var request = WarmProtocol.readRequest(in);
            if (!request.fingerprint().equals(fingerprint)) {
                log.info("a client of another build or environment asked; stopping so it can start its own server");
                WarmProtocol.write(out, WarmProtocol.Response.refusal());
                stop();
                return;
            }
            long started = System.nanoTime();
            var response = run(request);
            WarmProtocol.write(out, response);
            log.info("answered a command in {} ms (exit {})", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), response.exitCode());
        } catch (IOException e) {
            log.info("a client went away mid-request: {}", e.getMessage());
        } catch (RuntimeException | Error e) {
            log.error("warm request failed", e);
        } finally {
            lastActivity = System.nanoTime();
            inFlight.decrementAndGet();
        }
    }

    private WarmProtocol.Response run(WarmProtocol.Request request) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        // the bytes the client's process would have printed itself (a C locale prints Devanagari as '?')
        var charset = charsetOr(request.charset(), StandardCharsets.UTF_8);
        int code;
        try (var outWriter = new PrintWriter(new OutputStreamWriter(out, charset), true);
             var errWriter = new PrintWriter(new OutputStreamWriter(err, charset), true)) {
            code = runner.run(request.args(), outWriter, errWriter);
        }
        return new WarmProtocol.Response(false, code, out.toByteArray(), err.toByteArray());
    }

    /**
     * The server process holding {@code lockFile}, if another process holds it now: the pid
     * written in a lock nobody holds may since belong to an unrelated process.
     */
    public static java.util.Optional<ProcessHandle> running(Path lockFile) {
        try (var channel = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            var probe = channel.tryLock();
            if (probe != null) {
                probe.release();
                return java.util.Optional.empty();
            }
            var pid = Long.parseLong(Files.readString(lockFile, StandardCharsets.US_ASCII).strip());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** What runs each command line (the warm-up goes through it too). */
    public Runner runner() {
        return runner;
    }

    /** Completes with true once clients can connect, or false if this server will not serve. */
    public CompletableFuture<Boolean> listening() {
        return listening;
    }

    private static java.nio.charset.Charset charsetOr(String name, java.nio.charset.Charset fallback) {
        try {
            return java.nio.charset.Charset.forName(name);
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    /** Stops accepting; requests already running finish and are answered. */
    public void stop() {
        stopping = true;
        var sel = selector;
        if (sel != null) sel.wakeup();
    }

    /** The lock, waiting up to {@code patience} for a server that is on its way out; null if it stays. */
    private static FileLock acquire(FileChannel channel, Duration patience) throws IOException {
        var lock = channel.tryLock();
        if (lock != null) return lock;
        var waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return channel.lock();
            } catch (IOException e) {
                return null;
            }
        });
        try {
            return waiting.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            channel.close(); // ends the blocked lock() with AsynchronousCloseException
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return null;
        }
    }

    private static String newToken() {
        var bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    private static void awaitQuietly(ExecutorService pool) {
        try {
            pool.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
