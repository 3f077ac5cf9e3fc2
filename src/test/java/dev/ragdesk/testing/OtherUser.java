package dev.ragdesk.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks made from outside ragdesk's own JVM: what another local user can do ({@code runuser -u
 * nobody}, where the tests run as root), and a file's mode as {@code stat} reads it. A test of
 * privacy must not ask the code under test whether it is private.
 */
public final class OtherUser {
    private static final Path RUNUSER = Path.of("/usr/sbin/runuser");

    private OtherUser() {}

    public record Result(int exitCode, String output) {
        public boolean succeeded() { return exitCode == 0; }
    }

    /** Whether this test run can act as another user: it runs as root and runuser exists. */
    public static boolean available() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(RUNUSER);
    }

    /** Runs {@code command} as the user nobody, from /. */
    public static Result run(String... command) {
        var cmd = new ArrayList<>(List.of(RUNUSER.toString(), "-u", "nobody", "--"));
        cmd.addAll(List.of(command));
        return exec(cmd);
    }

    /** The octal mode of {@code path} as stat(1) prints it, e.g. "600". */
    public static String mode(Path path) {
        var result = exec(List.of("stat", "-c", "%a", path.toString()));
        if (!result.succeeded()) fail("stat " + path + ": " + result.output());
        return result.output().strip();
    }

    /**
     * Makes {@code dir} and its parents up to {@code /} traversable by everyone, as a clone in a
     * home folder usually is, so that only ragdesk's own modes can keep another user out.
     * JUnit's temporary folders are 0700, which would hide everything regardless.
     */
    public static Path openToOthers(Path dir) throws IOException {
        for (var p = dir.toAbsolutePath(); p != null && p.getNameCount() > 0; p = p.getParent()) {
            var perms = Files.getPosixFilePermissions(p);
            perms.addAll(PosixFilePermissions.fromString("r-xr-xr-x"));
            Files.setPosixFilePermissions(p, perms);
        }
        return dir;
    }

    private static Result exec(List<String> cmd) {
        try {
            var process = new ProcessBuilder(cmd).directory(Path.of("/").toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail(String.join(" ", cmd) + " did not finish");
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
