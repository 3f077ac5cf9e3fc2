package dev.ragdesk.engine.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/** The TCP ports a process listens on, as the kernel reports them: its socket inodes matched against /proc/net/tcp{,6}. */
final class TcpListeners {
    private TcpListeners() {}

    static List<String> of(long pid) throws IOException {
        var inodes = new HashSet<String>();
        try (var fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (var fd : (Iterable<Path>) fds::iterator) {
                try {
                    var target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
                } catch (IOException closedMeanwhile) {
                    // an fd that closed while listed
                }
            }
        }
        var listening = new ArrayList<String>();
        for (var table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            var file = Path.of(table);
            if (!Files.exists(file)) continue;
            for (var line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
                var cols = line.trim().split("\\s+");
                if (cols.length > 9 && cols[3].equals("0A") && inodes.contains(cols[9])) listening.add(table + " " + cols[1]);
            }
        }
        return listening;
    }
}
