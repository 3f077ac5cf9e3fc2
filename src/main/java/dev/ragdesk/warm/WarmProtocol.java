package dev.ragdesk.warm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a command line and its answer look like on the warm server's connection: length-prefixed
 * UTF-8 and bytes, so a pasted 20,000-word query travels whole (DataOutput's writeUTF stops at 64 KB).
 *
 * <p>The server speaks first, with a token only it and the workspace's owner know (from the
 * endpoint file in {@code .data}, 0700), so a client never sends a query to whatever process
 * took over a dead server's port; the client then proves itself with a second token before the
 * server runs anything. Plain tokens, no hashing: a client that loads the JDK's security
 * providers pays 15 ms, which is what the server exists to save.
 */
final class WarmProtocol {
    private WarmProtocol() {}

    static final int MAGIC = 0x52475731; // "RGW1"
    /** A request or an answer larger than this is refused: the socket is the owner's, but a bug must not allocate gigabytes. */
    static final int MAX_BYTES = 64 << 20;

    static final int RAN = 0;
    static final int REFUSED = 1;

    /**
     * One command line, from a client whose build and environment are {@code fingerprint};
     * {@code charset}: how the client's own process would encode what it prints (its locale's).
     */
    record Request(String fingerprint, String workspace, String charset, List<String> args) {
        Request {
            args = List.copyOf(args);
        }
    }

    /** What the command printed and its exit code; {@code refused}: the server did not run it (another build). */
    record Response(boolean refused, int exitCode, byte[] out, byte[] err) {
        static Response refusal() {
            return new Response(true, 0, new byte[0], new byte[0]);
        }
    }

    /** The endpoint file's one line: {@code port serverToken clientToken}. */
    record Endpoint(int port, String serverToken, String clientToken) {
        String line() {
            return port + " " + serverToken + " " + clientToken + "\n";
        }

        static Endpoint parse(String line) throws IOException {
            var parts = line.strip().split(" ");
            if (parts.length != 3) throw new IOException("not an endpoint line");
            try {
                return new Endpoint(Integer.parseInt(parts[0]), parts[1], parts[2]);
            } catch (NumberFormatException e) {
                throw new IOException("not an endpoint line", e);
            }
        }
    }

    static void writeGreeting(DataOutputStream out, String serverToken) throws IOException {
        out.writeInt(MAGIC);
        writeString(out, serverToken);
        out.flush();
    }

    /** The server's token, as it greeted. */
    static String readGreeting(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) throw new IOException("not a ragdesk warm server");
        return readString(in, 256);
    }

    static void write(DataOutputStream out, String clientToken, Request request) throws IOException {
        writeString(out, clientToken);
        out.writeInt(MAGIC);
        writeString(out, request.fingerprint());
        writeString(out, request.workspace());
        writeString(out, request.charset());
        out.writeInt(request.args().size());
        for (var arg : request.args()) writeString(out, arg);
        out.flush();
    }

    /** The client's token, read before anything else it sends (and at most 256 bytes of it). */
    static String readClientToken(DataInputStream in) throws IOException {
        return readString(in, 256);
    }

    static Request readRequest(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) throw new IOException("not a ragdesk warm-server request");
        var fingerprint = readString(in);
        var workspace = readString(in);
        var charset = readString(in, 256);
        int count = in.readInt();
        if (count < 0 || count > 100_000) throw new IOException("bad argument count " + count);
        var args = new ArrayList<String>(count);
        for (int i = 0; i < count; i++) args.add(readString(in));
        return new Request(fingerprint, workspace, charset, args);
    }

    static void write(DataOutputStream out, Response response) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(response.refused() ? REFUSED : RAN);
        out.writeInt(response.exitCode());
        writeBytes(out, response.out());
        writeBytes(out, response.err());
        out.flush();
    }

    static Response readResponse(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) throw new IOException("not a ragdesk warm-server answer");
        int status = in.readInt();
        int exitCode = in.readInt();
        var out = readBytes(in);
        var err = readBytes(in);
        if (status != RAN && status != REFUSED) throw new IOException("unknown answer status " + status);
        return new Response(status == REFUSED, exitCode, out, err);
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        writeBytes(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        return readString(in, MAX_BYTES);
    }

    private static String readString(DataInputStream in, int maxBytes) throws IOException {
        return new String(readBytes(in, maxBytes), StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        return readBytes(in, MAX_BYTES);
    }

    private static byte[] readBytes(DataInputStream in, int maxBytes) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > maxBytes) throw new IOException("bad length " + length);
        var bytes = new byte[length];
        try {
            in.readFully(bytes);
        } catch (EOFException e) {
            throw new IOException("the answer ended early", e);
        }
        return bytes;
    }
}
