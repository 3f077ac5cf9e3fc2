package dev.ragdesk.rag;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.io.FileDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.Set;

/** The user's files as indexing sees them: which files a path names, where they really are, and what is in them (a hash). */
final class SourceFiles {
    private static final Logger log = LoggerFactory.getLogger(SourceFiles.class);

    private SourceFiles() {}

    /** Adds {@code root} (a file) or every file under it (a folder) to {@code out}; hidden files and folders are skipped. */
    static void walk(Path root, Set<Path> out) throws RagdeskException {
        if (Files.isRegularFile(root)) {
            out.add(root);
            return;
        }
        if (!Files.isDirectory(root)) throw new RagdeskException("cannot index " + root + ": no such file or folder");
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    var name = d.getFileName() == null ? "" : d.getFileName().toString();
                    return !d.equals(root) && name.startsWith(".") ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && !f.getFileName().toString().startsWith(".")) out.add(f.toAbsolutePath().normalize());
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    log.warn("cannot read {}: {}", f, e.toString());
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new RagdeskException("cannot walk " + root + ": " + e.getMessage(), e);
        }
    }

    /** The path with links resolved: the key a file is indexed under, whichever way it was named. */
    static Path realPath(Path path) throws RagdeskException {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new RagdeskException("cannot index " + path + ": no such file or folder");
        }
    }

    /** The content hash that decides whether a file changed. */
    static String sha256(Path file) throws IOException {
        return HexFormat.of().formatHex(FileDigest.of(file, "SHA-256"));
    }
}
