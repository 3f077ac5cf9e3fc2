package dev.ragdesk.engine.server;

import dev.ragdesk.engine.Launcher;
import dev.ragdesk.engine.Worker;
import dev.ragdesk.io.AtomicFiles;
import dev.ragdesk.io.RandomHex;
import dev.ragdesk.process.Threads;
import okhttp3.OkHttpClient;
import org.newsclub.net.unix.AFUNIXSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Starts llama-server workers from one binary, each on a socket of its own in a private folder. */
public final class ServerLauncher implements Launcher {
    private static final Logger log = LoggerFactory.getLogger(ServerLauncher.class);
    /** The kernel's limit for a socket's path (sun_path) is 108 bytes with its terminating zero. */
    private static final int SOCKET_PATH_MAX = 100;

    /** Where each server's socket goes; a parameter so a test can hand out an address that is taken. */
    @FunctionalInterface
    public interface SocketPaths {
        Path next() throws IOException;
    }

    private final LlamaServers.Found binary;
    private final Accelerator accelerator;
    private final SocketPaths sockets;
    /** A server's start, its log and each answer's stream: pooled, so a swap waits for no new thread to be scheduled. */
    private final ExecutorService threads = Executors.newCachedThreadPool(Threads.daemon("llama-server"));
    private final OkHttpClient http = new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(5))
            .readTimeout(Duration.ofMinutes(10)) // a long prompt on a CPU takes a while before its first byte
            .build();
    private volatile ServerWorker lastStarted;

    /** Sockets in {@code runDir} (made 0700), or in a private temp folder where its path is too long for a socket. */
    public ServerLauncher(LlamaServers.Found binary, Accelerator accelerator, Path runDir) {
        this(binary, accelerator, inFolder(runDir));
    }

    public ServerLauncher(LlamaServers.Found binary, Accelerator accelerator, SocketPaths sockets) {
        this.binary = binary;
        this.accelerator = accelerator;
        this.sockets = sockets;
    }

    public LlamaServers.Found binary() { return binary; }

    public Accelerator accelerator() { return accelerator; }

    @Override
    public String computesOn() { return accelerator.label(); }

    @Override
    public String kind() { return "llama-server"; }

    @Override
    public Worker start() {
        var worker = new ServerWorker(binary.path(), accelerator, sockets, http, threads);
        lastStarted = worker;
        return worker;
    }

    @Override
    public void warmUp() {
        // nothing kept ready: a process made ahead saved ~2 ms on a swap that loads gigabytes
    }

    @Override
    public void close() {
        threads.shutdown();
    }

    /** The server started last, for checks of its slot (tests, the bench). */
    public Optional<ServerWorker> lastStarted() {
        return Optional.ofNullable(lastStarted);
    }

    /** For the bench and tests: the path of the binary. */
    public Path path() { return binary.path(); }

    /**
     * Fresh socket paths in {@code runDir}: a random name that no file has yet, so no earlier or
     * other process's socket is reused. Sockets left by a killed server are removed first.
     */
    public static SocketPaths inFolder(Path runDir) {
        return new SocketPaths() {
            private Path dir;

            @Override
            public synchronized Path next() throws IOException {
                if (dir == null) dir = privateFolder(runDir);
                for (int i = 0; i < 10; i++) {
                    var candidate = dir.resolve("llama-" + RandomHex.of(6) + ".sock");
                    if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) return candidate;
                }
                throw new IOException("no free socket name in " + dir);
            }
        };
    }

    private static Path privateFolder(Path runDir) throws IOException {
        if (runDir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8).length + "/llama-000000000000.sock".length() <= SOCKET_PATH_MAX) {
            var dir = AtomicFiles.ownerOnlyDirectory(runDir.toAbsolutePath());
            removeStaleSockets(dir);
            return dir;
        }
        // created 0700 by the JDK, with a name nobody could have prepared
        var dir = Files.createTempDirectory("ragdesk-run-");
        dir.toFile().deleteOnExit();
        log.info("the workspace's path is too long for a socket; llama-server sockets go to {}", dir);
        return dir;
    }

    /** Sockets whose server is gone (killed with the app): nothing accepts on them any more. */
    private static void removeStaleSockets(Path dir) {
        try (var files = Files.newDirectoryStream(dir, "llama-*.sock")) {
            for (var file : files) {
                try (var probe = AFUNIXSocket.connectTo(AFUNIXSocketAddress.of(file))) {
                    log.debug("{} is in use", file);
                } catch (IOException refused) {
                    Files.deleteIfExists(file);
                }
            }
        } catch (IOException e) {
            log.debug("cannot tidy {}: {}", dir, e.toString());
        }
    }
}
