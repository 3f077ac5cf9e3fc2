package dev.ragdesk.cli;

import dev.ragdesk.config.Workspace;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Command lines with nothing to parse, answered before picocli starts: {@code --version} and
 * {@code config --path} (with an optional {@code --home DIR}). Scripts call them often, and
 * picocli's start-up alone (its classes predate Java 6, so no class-data archive can hold them)
 * took longer than the JVM's. Anything else, however close, goes to picocli as before.
 */
final class QuickAnswers {
    private QuickAnswers() {}

    static OptionalInt answer(String[] args, Map<String, String> env, PrintWriter out) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            for (var line : VersionInfo.lines()) out.println(line);
            out.flush();
            return OptionalInt.of(ExitCodes.OK);
        }
        Path home = null;
        int i = 0;
        if (args.length == 4 && args[0].equals("--home")) {
            home = Path.of(args[1]);
            i = 2;
        } else if (args.length == 4 && args[2].equals("--home")) {
            home = Path.of(args[3]);
        } else if (args.length != 2) {
            return OptionalInt.empty();
        }
        if (!args[i].equals("config") || !args[i + 1].equals("--path")) return OptionalInt.empty();
        out.println(Workspace.resolve(home, env).configFile());
        out.flush();
        return OptionalInt.of(ExitCodes.OK);
    }
}
