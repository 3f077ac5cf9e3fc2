package dev.ragdesk.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A command line read once, before picocli, for what must be known before it starts: the
 * command word (only that subcommand is set up), whether help was asked for, {@code --home},
 * and the words after the command. picocli still parses every command line itself; this only
 * decides what it is given. bin/ragdesk has its own four-word list (which commands get the
 * quick compiler), since the JVM's flags are fixed before any Java runs.
 *
 * @param home    the {@code --home DIR} given before or after the command word, or null
 * @param command the first word that is not an option, or null (the console, {@code --version})
 * @param rest    the words after the command word, without {@code --home DIR}
 * @param help    {@code -h} or {@code --help} anywhere before {@code --}
 * @param options the option words before the command word, without {@code --home DIR}
 */
record CommandWords(Path home, String command, List<String> rest, boolean help, List<String> options) {

    static CommandWords of(String[] args) {
        Path home = null;
        String command = null;
        boolean help = false;
        boolean afterDashes = false;
        var rest = new ArrayList<String>();
        var options = new ArrayList<String>();
        for (int i = 0; i < args.length; i++) {
            var arg = args[i];
            if (!afterDashes && arg.equals("--home") && i + 1 < args.length) {
                home = Path.of(args[++i]);
                continue;
            }
            if (arg.equals("--")) afterDashes = true;
            if (!afterDashes && (arg.equals("-h") || arg.equals("--help"))) help = true;
            if (command == null && !afterDashes && !arg.startsWith("-")) {
                command = arg;
            } else if (command == null) {
                options.add(arg);
            } else {
                rest.add(arg);
            }
        }
        return new CommandWords(home, command, List.copyOf(rest), help, List.copyOf(options));
    }
}
