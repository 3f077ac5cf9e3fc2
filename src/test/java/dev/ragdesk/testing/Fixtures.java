package dev.ragdesk.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The shared fixture files, found through the {@code ragdesk.fixtures} system property set in the pom. */
public final class Fixtures {
    private Fixtures() {}

    public static Path dir() {
        return Path.of(System.getProperty("ragdesk.fixtures", "../shared/fixtures")).toAbsolutePath().normalize();
    }

    /** The named fixture, or the test is skipped with a message naming the folder. */
    public static Path require(String name) {
        var file = dir().resolve(name);
        assumeTrue(Files.isRegularFile(file),
                () -> "skipped: fixture " + name + " not found in " + dir() + " (set -Dragdesk.fixtures=DIR to point at it)");
        return file;
    }
}
