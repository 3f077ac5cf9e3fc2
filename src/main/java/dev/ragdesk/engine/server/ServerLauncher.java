package dev.ragdesk.engine.server;

import dev.ragdesk.engine.Launcher;
import dev.ragdesk.engine.Worker;
import okhttp3.OkHttpClient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

/** Starts llama-server workers from one binary; one OkHttp client serves them all. */
public final class ServerLauncher implements Launcher {
    private final LlamaServers.Found binary;
    private final ServerWorker.Ports ports;
    /** Shared by the workers: a thread of a server that ended serves the next one; idle ones end after a minute. */
    private final ServerWorker.Helpers helpers = new ServerWorker.Helpers(new Spare<>("server slot", ServerSlot::start),
            new Spare<>("watchdog", Watchdog::start), java.util.concurrent.Executors.newCachedThreadPool(task -> {
                var thread = new Thread(task, "llama-server-pool");
                thread.setDaemon(true);
                return thread;
            }));
    private final OkHttpClient http = new OkHttpClient.Builder()
            .connectTimeout(Duration.ofSeconds(5))
            .readTimeout(Duration.ofMinutes(10)) // a long prompt on a CPU takes a while before its first byte
            .build();

    public ServerLauncher(LlamaServers.Found binary) {
        this(binary, ServerLauncher::freePort);
    }

    public ServerLauncher(LlamaServers.Found binary, ServerWorker.Ports ports) {
        this.binary = binary;
        this.ports = ports;
    }

    public LlamaServers.Found binary() { return binary; }

    @Override
    public String kind() { return "llama-server"; }

    private volatile ServerWorker lastStarted;

    @Override
    public Worker start() {
        var worker = new ServerWorker(binary.path(), ports, http, helpers);
        lastStarted = worker;
        return worker;
    }

    @Override
    public void warmUp() {
        helpers.replenish();
    }

    @Override
    public void close() {
        helpers.slots().close();
        helpers.watchdogs().close();
    }

    ServerWorker.Helpers helpers() { return helpers; }

    /** The server started last, for checks of its slot (tests, the bench). */
    public java.util.Optional<ServerWorker> lastStarted() {
        return java.util.Optional.ofNullable(lastStarted);
    }

    /** A port nothing listens on now; the server may still lose it to another program, which is retried. */
    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** For the bench and tests: the path of the binary. */
    public Path path() { return binary.path(); }
}
