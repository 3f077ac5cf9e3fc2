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
}
