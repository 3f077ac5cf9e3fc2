package dev.ragdesk.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared fixture files, found through the {@code ragdesk.fixtures} system property set in
 * the pom. Without the folder (a fresh clone) a test that needs one skips; with the folder
 * there, a missing file is a failure, never a skip: CI always has the folder.
 */
public final class Fixtures {
    private Fixtures() {}

    public static Path dir() {
        return Path.of(System.getProperty("ragdesk.fixtures", "../shared/fixtures")).toAbsolutePath().normalize();
    }

    /** The named fixture, or the test is skipped with a message naming the folder. */
    public static Path require(String name) {
        var file = dir().resolve(name);
        if (Files.isDirectory(dir()) && !Files.isRegularFile(file)) {
            fail("fixture " + name + " is missing from " + dir() + ", which exists: a test that needs it must run there");
        }
        // without the folder (a fresh clone) the test skips, strict or not: only a folder that is there must be complete
        assumeTrue(Files.isRegularFile(file), () -> "skipped: fixture " + name + " not found in " + dir()
                + " (set -Dragdesk.fixtures=DIR to point at it)");
        return file;
    }
}
