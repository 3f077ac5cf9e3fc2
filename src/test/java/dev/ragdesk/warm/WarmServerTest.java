package dev.ragdesk.warm;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/** The warm server and its client on real loopback sockets, with a runner whose output follows from its arguments. */
@Timeout(60)
class WarmServerTest {

    @TempDir Path dir;

    private final AtomicInteger runs = new AtomicInteger();
    private final List<WarmServer> servers = new ArrayList<>();

    /** Prints its arguments reversed on stdout, their count on stderr, and exits with the count. */
    private final WarmServer.Runner reverser = (args, out, err) -> {
        runs.incrementAndGet();
        var reversed = new ArrayList<>(args);
        java.util.Collections.reverse(reversed);
        out.print(String.join(" ", reversed));
        err.print(args.size());
        return args.size();
    };

    private record Served(OptionalInt code, String out, String err) {}

    private Path endpoint() { return dir.resolve("search.endpoint"); }

    private CompletableFuture<Boolean> start(String fingerprint, Duration idle) throws Exception {
        var server = new WarmServer(endpoint(), dir.resolve("search.lock"), fingerprint, reverser, () -> idle);
        servers.add(server);
        var served = CompletableFuture.supplyAsync(() -> {
            try {
                return server.serve(() -> {});
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(server.listening().get(30, TimeUnit.SECONDS), "listening");
        return served;
    }

    private Served ask(String fingerprint, List<String> args) {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        var code = WarmClient.run(endpoint(), fingerprint, dir, args, out, err);
        return new Served(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @AfterEach
    void stopAll() {
        servers.forEach(WarmServer::stop);
    }

    @Test
    void aCommandRunsOnTheServerAndItsOutputAndExitCodeComeBack() throws Exception {
        start("build-1", Duration.ofMinutes(1));
        var served = ask("build-1", List.of("search", "लाइटहाउस", "keeper"));
        assertEquals(OptionalInt.of(3), served.code());
        assertEquals("keeper लाइटहाउस search", served.out());
        assertEquals("3", served.err());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(endpoint())),
                "the tokens are the owner's alone");
    }

    @Test
    void aPasted20000WordQueryTravelsWhole() throws Exception {
        start("b", Duration.ofMinutes(1));
        var words = "lamp ".repeat(20_000).strip(); // 100 KB: past DataOutput.writeUTF's 64 KB
        var served = ask("b", List.of(words));
        assertEquals(words, served.out());
    }

    @Test
    void aClientOfAnotherBuildIsRefusedAndTheServerStepsAside() throws Exception {
        var serving = start("build-1", Duration.ofMinutes(1));
        var served = ask("build-2", List.of("search", "x"));
        assertTrue(served.code().isEmpty(), "the caller runs it itself");
        assertEquals(0, runs.get(), "nothing ran on the other build's server");
        assertTrue(serving.get(30, TimeUnit.SECONDS), "the server stopped, so the new build can start its own");
        assertFalse(Files.exists(endpoint()), "and took its endpoint with it");
    }

    @Test
    void noEndpointAndADeadServersEndpointMeanNotServed() throws Exception {
        assertTrue(ask("b", List.of("x")).code().isEmpty(), "no endpoint file");
        int deadPort;
        try (var closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = closed.getLocalPort();
        }
        Files.writeString(endpoint(), deadPort + " aaaa bbbb\n");
        assertTrue(ask("b", List.of("x")).code().isEmpty(), "an endpoint left by a kill -9");
        Files.writeString(endpoint(), "half a li");
        assertTrue(ask("b", List.of("x")).code().isEmpty(), "a torn endpoint file");
    }

    @Test
    void aProcessThatTookADeadServersPortNeverSeesTheQuery() throws Exception {
        try (var impostor = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Files.writeString(endpoint(), impostor.getLocalPort() + " server-token client-token\n");
            var received = CompletableFuture.supplyAsync(() -> {
                try (var s = impostor.accept()) {
                    var out = new DataOutputStream(s.getOutputStream());
                    out.writeInt(WarmProtocol.MAGIC);
                    var wrong = "not-the-token".getBytes(StandardCharsets.UTF_8);
                    out.writeInt(wrong.length);
                    out.write(wrong);
                    out.flush();
                    return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(ask("b", List.of("my secret question")).code().isEmpty());
            var got = received.get(30, TimeUnit.SECONDS);
            assertFalse(got.contains("secret") || got.contains("client-token"), "sent to an impostor: " + got);
        }
    }

    @Test
    void aConnectionWithoutTheClientTokenRunsNothingAndTheServerGoesOn() throws Exception {
        start("b", Duration.ofMinutes(1));
        var port = Integer.parseInt(Files.readString(endpoint()).split(" ")[0]);
        try (var s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            var in = new DataInputStream(s.getInputStream());
            assertFalse(WarmProtocol.readGreeting(in).isEmpty(), "it greets anyone who connects, with its token");
            var out = new DataOutputStream(s.getOutputStream());
            var guess = "0".repeat(48).getBytes(StandardCharsets.US_ASCII);
            out.writeInt(guess.length);
            out.write(guess);
            out.flush();
            assertEquals(-1, in.read(), "closed at once, before any request is read");
        }
        assertEquals(0, runs.get());
        assertEquals(OptionalInt.of(1), ask("b", List.of("x")).code(), "still serving its owner");
    }

    @Test
    void outputIsEncodedTheWayTheClientsOwnProcessWouldHaveEncodedIt() throws Exception {
        start("b", Duration.ofMinutes(1));
        var endpoint = WarmProtocol.Endpoint.parse(Files.readString(endpoint()));
        for (var charset : List.of(StandardCharsets.US_ASCII, StandardCharsets.UTF_8)) {
            try (var s = new Socket(InetAddress.getLoopbackAddress(), endpoint.port())) {
                var in = new DataInputStream(s.getInputStream());
                assertEquals(endpoint.serverToken(), WarmProtocol.readGreeting(in));
                WarmProtocol.write(new DataOutputStream(s.getOutputStream()), endpoint.clientToken(),
                        new WarmProtocol.Request("b", dir.toString(), charset.name(), List.of("नमस्ते")));
                var answer = WarmProtocol.readResponse(in);
                // a C locale's process prints Devanagari as '?': the JDK's own encoder is the judge
                assertArrayEquals("नमस्ते".getBytes(charset), answer.out(), charset.name());
            }
        }
    }

    @Test
    void clientsAtOnceAreAllAnswered() throws Exception {
        start("b", Duration.ofMinutes(1));
        var go = new CountDownLatch(1);
        var asks = new ArrayList<CompletableFuture<Served>>();
        for (int i = 0; i < 6; i++) {
            var word = "q" + i;
            asks.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return ask("b", List.of("search", word));
            }));
        }
        go.countDown();
        for (int i = 0; i < 6; i++) assertEquals("q" + i + " search", asks.get(i).get(30, TimeUnit.SECONDS).out());
    }

    @Test
    void anIdleServerExitsByItselfAndRemovesItsEndpoint() throws Exception {
        var serving = start("b", Duration.ofMillis(300));
        assertEquals(OptionalInt.of(1), ask("b", List.of("x")).code());
        assertTrue(serving.get(30, TimeUnit.SECONDS), "exited once idle");
        assertFalse(Files.exists(endpoint()));
        assertTrue(WarmServer.running(dir.resolve("search.lock")).isEmpty(), "and holds no lock");
    }
}
