package dev.ragdesk.warm;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** The server's command line, built from the command line of the process that starts it. */
class WarmLauncherTest {

    /** A process's view of its own command line, as /proc would give it. */
    private record Seen(List<String> args) implements ProcessHandle.Info {
        @Override public Optional<String> command() { return Optional.of("/usr/bin/java"); }
        @Override public Optional<String> commandLine() { return Optional.empty(); }
        @Override public Optional<String[]> arguments() { return Optional.of(args.toArray(String[]::new)); }
        @Override public Optional<Instant> startInstant() { return Optional.empty(); }
        @Override public Optional<Duration> totalCpuDuration() { return Optional.empty(); }
        @Override public Optional<String> user() { return Optional.empty(); }
    }

    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    @Test
    void aJarStartKeepsItsJvmOptionsButNotTheOnesMeantForOneShortRun() {
        var seen = new Seen(List.of("-XX:+UseSerialGC", "-XX:SharedArchiveFile=/c/main.jsa", "-XX:TieredStopAtLevel=1",
                "-Xlog:disable", "-XX:DumpLoadedClassList=/c/l.lst", "-jar", "/r/ragdesk.jar", "--home", "/w", "search", "lamp"));
        assertEquals(List.of(JAVA, "-XX:+UseSerialGC", "-XX:SharedArchiveFile=/c/main.jsa", "-jar", "/r/ragdesk.jar"),
                WarmLauncher.javaCommand(seen, "dev.ragdesk.cli.Main"), "the app's own arguments are the caller's to add");
    }

    @Test
    void aClassPathStartGetsThisJvmsClassPathAndTheMainClass() {
        var seen = new Seen(List.of("-Xmx1g", "-cp", "/elsewhere.jar", "-agentlib:jdwp=transport=dt_socket", "some.Main", "search"));
        assertEquals(List.of(JAVA, "-Xmx1g", "-cp", System.getProperty("java.class.path"), "dev.ragdesk.cli.Main"),
                WarmLauncher.javaCommand(seen, "dev.ragdesk.cli.Main"));
    }
}
