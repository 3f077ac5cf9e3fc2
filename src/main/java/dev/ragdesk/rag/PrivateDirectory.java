package dev.ragdesk.rag;

import dev.ragdesk.io.AtomicFiles;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.Lock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The index folder as only its owner may read it: the folder 0700, every file Lucene writes
 * 0600. The index stores the full text of every chunk, so a private document indexed from a
 * world-readable clone would otherwise be readable by every user of the machine. Lucene creates
 * files with the process's umask; this narrows each one as it is created, inside a folder that
 * nobody else can enter meanwhile. An index written before this (or by a copy) is fixed on open.
 */
final class PrivateDirectory extends FilterDirectory {
    private static final Logger log = LoggerFactory.getLogger(PrivateDirectory.class);
    private final Path dir;

    private PrivateDirectory(Path dir, Directory in) {
        super(in);
        this.dir = dir;
    }

    /** Creates the folder if needed, makes it and everything in it private, and opens it. */
    static Directory open(Path dir) throws IOException {
        try {
            AtomicFiles.ownerOnlyDirectory(dir);
            try (var files = Files.list(dir)) {
                for (var file : (Iterable<Path>) files::iterator) {
                    if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) AtomicFiles.ownerOnlyFile(file);
                }
            }
        } catch (FileSystemException notOurs) {
            // another user's index, opened to read it: theirs to protect; reading goes on or fails by itself
            log.warn("cannot make the index in {} private: {}", dir, notOurs.toString());
        }
        return new PrivateDirectory(dir, FSDirectory.open(dir));
    }

    /** The lock file is created by the lock factory, not as an output; it is empty, but private all the same. */
    @Override
    public Lock obtainLock(String name) throws IOException {
        var lock = super.obtainLock(name);
        AtomicFiles.ownerOnlyFile(dir.resolve(name));
        return lock;
    }

    @Override
    public IndexOutput createOutput(String name, IOContext context) throws IOException {
        var output = super.createOutput(name, context);
        AtomicFiles.ownerOnlyFile(dir.resolve(output.getName()));
        return output;
    }

    @Override
    public IndexOutput createTempOutput(String prefix, String suffix, IOContext context) throws IOException {
        var output = super.createTempOutput(prefix, suffix, context);
        AtomicFiles.ownerOnlyFile(dir.resolve(output.getName()));
        return output;
    }
}
