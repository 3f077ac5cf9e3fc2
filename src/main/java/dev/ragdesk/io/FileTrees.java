package dev.ragdesk.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Whole folders: what a build, a download's unpacking or a benchmark leaves and then removes. */
public final class FileTrees {
    private FileTrees() {}

    /** Deletes {@code dir} and everything in it, deepest first; nothing happens when it is not there. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (var p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
