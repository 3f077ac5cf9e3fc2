package dev.ragdesk.cli;

import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.VersionInfo;
import dev.ragdesk.config.Workspace;

import java.io.PrintWriter;
import java.util.List;
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

    static OptionalInt answer(CommandWords words, Map<String, String> env, PrintWriter out) {
        if (words.command() == null && words.home() == null && words.rest().isEmpty()
                && (words.options().equals(List.of("--version")) || words.options().equals(List.of("-V")))) {
            for (var line : VersionInfo.lines()) out.println(line);
            out.flush();
            return OptionalInt.of(ExitCodes.OK);
        }
        if (!"config".equals(words.command()) || !words.options().isEmpty() || !words.rest().equals(List.of("--path"))) {
            return OptionalInt.empty();
        }
        out.println(Workspace.resolve(words.home(), env).configFile());
        out.flush();
        return OptionalInt.of(ExitCodes.OK);
    }
}
