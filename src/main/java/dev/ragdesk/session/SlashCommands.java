package dev.ragdesk.session;

import dev.ragdesk.config.Config;
import dev.ragdesk.io.UserPaths;
import dev.ragdesk.models.Catalogue;
import dev.ragdesk.models.ModelFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** The slash commands both UIs share; each UI shows the outcome its own way. */
public final class SlashCommands {
    public static final List<String> NAMES = List.of("/mode", "/index", "/remove", "/download", "/models", "/model", "/new",
            "/sessions", "/open", "/copy", "/help", "/quit");

    /** The commands as both UIs' help lists them. */
    public static final List<String> HELP = List.of(
            "/mode rag|chat   /index PATH|--embed   /remove PATH",
            "/download ROLE   /models       /model ROLE",
            "/new   /sessions   /open N   /copy   /help   /quit");

    /** What a command asks of the UI. */
    public sealed interface Outcome {
        /** Done; nothing to show beyond the events the session sends. */
        record Done() implements Outcome {}
        /** Text for the conversation view. */
        record Show(String text) implements Outcome {}
        /** A one-line hint: wrong arguments and the like. */
        record Hint(String text) implements Outcome {}
        record Help() implements Outcome {}
        record Copy() implements Outcome {}
        record Quit() implements Outcome {}
        /** A download was started, for a progress row. */
        record Downloading(String target) implements Outcome {}
    }

    private SlashCommands() {}

    /** The words a command's argument can be, for completion: modes for /mode and /model, roles for /download. */
    public static List<String> choices(String command) {
        return switch (command) {
            case "/mode", "/model" -> Mode.names();
            case "/download" -> ModelFiles.ROLES;
            default -> List.of();
        };
    }

    /** Whether a command's argument is a path, completed from the file system. */
    public static boolean takesPath(String command) {
        return command.equals("/index") || command.equals("/remove");
    }

    public static boolean isCommand(String line) {
        return line.startsWith("/");
    }

    public static Outcome run(Session session, Config config, String line, Path cwd) throws IOException {
        var parts = line.strip().split("\\s+", 2);
        var arg = parts.length > 1 ? parts[1].strip() : "";
        return switch (parts[0]) {
            case "/mode", "/model" -> {
                if (arg.isEmpty()) {
                    yield new Outcome.Show("mode: " + session.mode().name().toLowerCase(Locale.ROOT) + " (/mode "
                            + String.join("|", Mode.names()) + " switches); RAG finds passages by " + session.retrievalMode()
                            + " ([retrieval].mode: auto|hybrid|bm25|vector)");
                }
                try {
                    session.switchMode(Mode.parse(arg));
                    yield new Outcome.Done();
                } catch (IllegalArgumentException e) {
                    yield new Outcome.Hint(parts[0] + " " + String.join("|", Mode.names()));
                }
            }
            case "/index" -> {
                if (arg.isEmpty()) yield new Outcome.Hint("/index PATH: a file or folder to index; /index --embed: give every chunk a vector");
                if (arg.equals("--embed")) yield done(session::embedIndex);
                yield done(() -> session.index(resolve(cwd, arg)));
            }
            case "/remove" -> arg.isEmpty() ? new Outcome.Hint("/remove PATH: a file or folder to drop from the index") : done(() -> session.remove(resolve(cwd, arg)));
            case "/download" -> {
                if (arg.isEmpty()) yield new Outcome.Hint("/download " + String.join("|", ModelFiles.ROLES));
                session.download(arg);
                yield new Outcome.Downloading(arg);
            }
            case "/models" -> new Outcome.Show(models(session, config));
            case "/new" -> done(session::newConversation);
            case "/sessions" -> {
                var files = session.conversations();
                var sb = new StringBuilder("Saved conversations (open with /open N):");
                for (int i = 0; i < files.size(); i++) sb.append("\n").append(i + 1).append(". ").append(files.get(i).getFileName());
                yield new Outcome.Show(files.isEmpty() ? "No saved conversations yet." : sb.toString());
            }
            case "/open" -> {
                try {
                    session.openConversation(session.conversations().get(Integer.parseInt(arg) - 1));
                    yield new Outcome.Done();
                } catch (NumberFormatException | IndexOutOfBoundsException e) {
                    yield new Outcome.Hint("/open N, with N from /sessions");
                }
            }
            case "/copy" -> new Outcome.Copy();
            case "/help" -> new Outcome.Help();
            case "/quit", "/exit" -> new Outcome.Quit();
            default -> new Outcome.Hint("unknown command " + parts[0] + "; /help lists them");
        };
    }

    private static Outcome done(Runnable action) {
        action.run();
        return new Outcome.Done();
    }

    static Path resolve(Path cwd, String arg) {
        return UserPaths.resolve(cwd, arg);
    }

    private static String models(Session session, Config config) {
        var files = new ModelFiles(session.workspace(), config);
        var sb = new StringBuilder("Models:");
        for (var e : new Catalogue(config).entries()) {
            var path = files.location(e.role());
            sb.append("\n  ").append(e.role()).append(": ").append(Files.isRegularFile(path) ? path : "missing (/download " + e.role() + ")")
                    .append("; ").append(e.licence());
        }
        // what runs them, and on what: the console's one place for why a GPU goes unused
        sb.append("\nEngine: ").append(session.engine()).append(" (").append(session.engineWhy()).append(")");
        return sb.toString();
    }
}
