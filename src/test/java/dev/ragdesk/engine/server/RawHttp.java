package dev.ragdesk.engine.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** One HTTP/1.1 request over a Unix socket with the JDK's own channels: a client that shares nothing with ragdesk's. */
final class RawHttp {
    private RawHttp() {}

    static int status(Path socket, String method, String path, String body) throws IOException {
        try (var channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            var bytes = body.getBytes(StandardCharsets.UTF_8);
            var request = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n" + body;
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            var buffer = ByteBuffer.allocate(256);
            while (buffer.position() < 12 && channel.read(buffer) > 0) { /* the status line */ }
            var head = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
            return Integer.parseInt(head.substring(9, 12));
        }
    }
}
