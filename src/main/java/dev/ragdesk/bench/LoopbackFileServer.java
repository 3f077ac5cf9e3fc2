package dev.ragdesk.bench;

import dev.ragdesk.process.Threads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The download benchmark's server: speaks just enough of the hub's protocol on 127.0.0.1
 * (a resolve URL that redirects with X-Linked-* headers, and a blob with Range support) and
 * sends the file with sendfile, so the server's own copying does not cap what the clients show.
 */
final class LoopbackFileServer implements AutoCloseable {
    static final String RESOLVE_PATH = "/bench/file/resolve/main/blob.bin";

    private final ServerSocketChannel server;
    private final Path file;
    private final long size;
    private final String sha256;
    private final Thread acceptor;

    LoopbackFileServer(Path file, long size, String sha256) throws IOException {
        this.file = file;
        this.size = size;
        this.sha256 = sha256;
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = Threads.start(this::acceptLoop, "bench-server");
    }

    int port() throws IOException {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try (var socket = server.accept()) {
                serve(socket);
            } catch (IOException e) {
                if (!server.isOpen()) return;
            }
        }
    }

    private void serve(SocketChannel socket) throws IOException {
        var request = readHead(socket);
        var firstLine = request.lines().findFirst().orElse("");
        var parts = firstLine.split(" ");
        var path = parts.length > 1 ? parts[1] : "";
        if (path.equals(RESOLVE_PATH)) {
            write(socket, "HTTP/1.1 302 Found\r\nLocation: /cdn/blob\r\nX-Linked-Size: " + size
                    + "\r\nX-Linked-Etag: \"" + sha256 + "\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }
        if (!path.equals("/cdn/blob")) {
            write(socket, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            return;
        }
        long start = request.lines().filter(l -> l.toLowerCase().startsWith("range: bytes="))
                .map(l -> Long.parseLong(l.substring(13).replace("-", "").trim())).findFirst().orElse(-1L);
        var head = start >= 0
                ? "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes " + start + "-" + (size - 1) + "/" + size + "\r\n"
                : "HTTP/1.1 200 OK\r\n";
        long from = Math.max(start, 0);
        write(socket, head + "Content-Length: " + (size - from) + "\r\nConnection: close\r\n\r\n");
        if (parts[0].equals("HEAD")) return;
        try (var channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long sent = from;
            while (sent < size) sent += channel.transferTo(sent, size - sent, socket);
        }
    }

    private static String readHead(SocketChannel socket) throws IOException {
        var buffer = ByteBuffer.allocate(8192);
        var text = new StringBuilder();
        while (!text.toString().contains("\r\n\r\n") && socket.read(buffer) > 0) {
            buffer.flip();
            text.append(StandardCharsets.ISO_8859_1.decode(buffer));
            buffer.clear();
        }
        return text.toString();
    }

    private static void write(SocketChannel socket, String text) throws IOException {
        var bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
        while (bytes.hasRemaining()) socket.write(bytes);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
