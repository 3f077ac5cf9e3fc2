package dev.ragdesk.io;

import java.nio.file.Path;

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
    public static java.util.Optional<Path> onPath(String program, java.util.Map<String, String> env) {
        for (var dir : env.getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (dir.isBlank()) continue;
            var candidate = Path.of(dir, program);
            if (java.nio.file.Files.isRegularFile(candidate) && java.nio.file.Files.isExecutable(candidate)) {
                return java.util.Optional.of(candidate);
            }
        }
        return java.util.Optional.empty();
    }
}
