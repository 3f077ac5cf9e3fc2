package dev.ragdesk.io;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Paths as a user types them. */
public final class UserPaths {
    private UserPaths() {}

    /** "~" and "~/x" name the user's home, as in a shell; anything else is left alone. */
    public static String expandHome(String typed) {
        if (typed.equals("~")) return System.getProperty("user.home");
        return typed.startsWith("~/") ? System.getProperty("user.home") + typed.substring(1) : typed;
    }

    /** A typed path, with "~" expanded, against {@code cwd}. */
    public static Path resolve(Path cwd, String typed) {
        return cwd.resolve(expandHome(typed)).toAbsolutePath().normalize();
    }

    /** The first executable file named {@code program} in {@code $PATH}, as a shell would find it. */
    public static Optional<Path> onPath(String program, Map<String, String> env) {
        for (var dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (dir.isBlank()) continue;
            var candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
