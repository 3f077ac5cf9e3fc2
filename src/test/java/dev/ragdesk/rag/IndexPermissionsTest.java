package dev.ragdesk.rag;

import dev.ragdesk.testing.OtherUser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The index holds the full text of every chunk: nobody but its owner may read it, whatever the
 * modes of the clone around it. Modes are read by stat(1), and where the tests run as root, the
 * user nobody tries to read the secret out of it.
 */
class IndexPermissionsTest {
    private static final String SECRET = "the vault combination is 31-41-59";

    @TempDir Path tmp;

    /** A private document (0600 in a 0700 folder) indexed from a world-readable clone, as the review tried. */
    private Path indexSecret(Path indexDir) throws Exception {
        var docs = Files.createDirectories(tmp.resolve("private-docs"));
        var doc = Files.writeString(docs.resolve("secret.txt"), "Notes.\n\n" + SECRET + ".\n");
        Files.setPosixFilePermissions(doc, PosixFilePermissions.fromString("rw-------"));
        try (var index = DocumentIndex.open(indexDir, new Extractors(1_000_000), new Chunker(400, 60))) {
            index.index(List.of(docs), p -> {}, () -> false);
        }
        Files.setPosixFilePermissions(docs, PosixFilePermissions.fromString("rwx------"));
        return indexDir;
    }

    private static void assertPrivate(Path indexDir) throws Exception {
        assertEquals("700", OtherUser.mode(indexDir), "the index folder");
        try (var files = Files.list(indexDir)) {
            var all = files.toList();
            assertTrue(all.size() > 2, "an index was written: " + all);
            for (var file : all) assertEquals("600", OtherUser.mode(file), file.getFileName().toString());
        }
        if (OtherUser.available()) {
            assertFalse(OtherUser.run("ls", indexDir.toString()).succeeded(), "another user lists the index");
            var grep = OtherUser.run("grep", "-rl", "vault", indexDir.toString()); // stored text is compressed: one word survives whole
            assertFalse(grep.succeeded(), "another user found the secret in: " + grep.output());
            try (var files = Files.list(indexDir)) {
                for (var file : files.toList()) {
                    assertFalse(OtherUser.run("cat", file.toString()).succeeded(), "another user read " + file.getFileName());
                }
            }
        }
    }

    @Test
    void aNewIndexIsReadableByItsOwnerAlone() throws Exception {
        var clone = OtherUser.openToOthers(Files.createDirectories(tmp.resolve("clone")));
        var indexDir = indexSecret(clone.resolve("index"));
        assertPrivate(indexDir);
        try (var retriever = new Retriever(indexDir)) {
            assertTrue(retriever.search("vault combination", 3).hits().get(0).text().contains("31-41-59"), "the owner still finds it");
        }
    }

    @Test
    void anIndexWrittenWithOpenModesIsMadePrivateWhenOpened() throws Exception {
        var clone = OtherUser.openToOthers(Files.createDirectories(tmp.resolve("clone")));
        var indexDir = indexSecret(clone.resolve("index"));
        // as an earlier ragdesk left it: the umask's 755 and 644
        Files.setPosixFilePermissions(indexDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (var files = Files.list(indexDir)) {
            for (var file : files.toList()) Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
        if (OtherUser.available()) {
            assertTrue(OtherUser.run("grep", "-rl", "vault", indexDir.toString()).succeeded(),
                    "the test's premise: an open index gives the secret away");
        }
        try (var retriever = new Retriever(indexDir)) {
            assertEquals(1, retriever.status().files());
        }
        assertPrivate(indexDir);
    }
}
