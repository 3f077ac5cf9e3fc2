package dev.ragdesk.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** An exception that escapes a thread goes to the workspace log, never onto the terminal. */
@Timeout(60)
class UncaughtExceptionTest {
    @TempDir Path home;

    @Test
    void anEscapedExceptionIsLoggedNotPrinted() throws Exception {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), UncaughtMain.class.getName(), home.toString()).start();
        var stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        var stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals("still here", stdout.strip());
        assertFalse(stderr.contains("a slip on a background thread"), "nothing on the terminal: " + stderr);
        var log = Files.readString(home.resolve(".data/logs/ragdesk.log"));
        assertTrue(log.contains("uncaught on thread some-worker"), log);
        assertTrue(log.contains("IllegalStateException: a slip on a background thread"), log);
    }
}
