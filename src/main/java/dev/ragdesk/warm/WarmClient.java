package dev.ragdesk.warm;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * Hands a command line to the workspace's warm server, if one is listening and runs the same
 * build, and prints what it printed. Anything short of a whole answer (no endpoint file, a stale
 * one left by a kill -9, another build, a server that died mid-answer) is "not served": the
 * caller runs the command itself, which is always safe because only read-only commands are sent.
 * A plain {@link Socket}, not a channel: opening a channel costs a new JVM 20-35 ms of provider
 * lookups, a third of what is left to save.
 */
public final class WarmClient {
    private WarmClient() {}

    /** How long the server may take to greet: it answers at once unless something is badly wrong. */
    private static final int GREETING_TIMEOUT_MS = 5_000;

    /** The exit code of the command the server ran, after copying its output; empty when the caller must run it. */
    public static OptionalInt run(Path endpointFile, String fingerprint, Path workspace, List<String> args,
                                  OutputStream out, OutputStream err) {
        WarmProtocol.Endpoint endpoint;
        try {
            endpoint = WarmProtocol.Endpoint.parse(Files.readString(endpointFile, StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty(); // none yet, or half written by a server killed mid-start
        }
        try (var socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), endpoint.port()), GREETING_TIMEOUT_MS);
            socket.setSoTimeout(GREETING_TIMEOUT_MS);
            var in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            // nothing is sent to a process that cannot show the server's token
            if (!WarmProtocol.readGreeting(in).equals(endpoint.serverToken())) return OptionalInt.empty();
            socket.setSoTimeout(0); // a first hybrid search loads the embed model: seconds, and Ctrl-C still ends this
            var output = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream()));
            WarmProtocol.write(output, endpoint.clientToken(),
                    new WarmProtocol.Request(fingerprint, workspace.toString(), java.nio.charset.Charset.defaultCharset().name(), args));
            var answer = WarmProtocol.readResponse(in);
            if (answer.refused()) return OptionalInt.empty();
            // printed only once the whole answer is here: a half answer must not precede a rerun
            out.write(answer.out());
            out.flush();
            err.write(answer.err());
            err.flush();
            return OptionalInt.of(answer.exitCode());
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }
}
