package dev.ragdesk.cli;

import dev.ragdesk.Failures;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.config.ConfigException;
import dev.ragdesk.io.TerminalText;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Collection;
import java.util.List;
import java.util.Map;

public final class Main {
    private Main() {}

    public static void main(String[] args) {
        var env = System.getenv();
        var out = new PrintWriter(System.out, true);
        // the quick answers first: the rest below costs --version a lambda bootstrap (7 ms)
        var quick = QuickAnswers.answer(CommandWords.of(args), env, out);
        if (quick.isEmpty()) logUncaughtExceptions();
        int code = quick.isPresent() ? quick.getAsInt() : run(args, env, out, new PrintWriter(System.err, true));
        // System.exit, not a return: after a native library has been loaded the JVM keeps a
        // non-daemon thread alive and would never exit by itself (java-llama.cpp #116).
        System.exit(code);
    }

    /**
     * For an exception that escapes a thread: the JVM's own handler prints its stack trace on
     * stderr, which is the full-screen console's terminal. Every operation catches its own
     * failures and ends with one line; this only keeps a slip out of sight and in the log.
     */
    static void logUncaughtExceptions() {
        Thread.setDefaultUncaughtExceptionHandler((thread, e) ->
                LoggerFactory.getLogger(Main.class).error("uncaught on thread {}", thread.getName(), e));
    }

    /** Runs one command line; returns its exit code. */
    public static int run(String[] args, Map<String, String> env, PrintWriter rawOut, PrintWriter rawErr) {
        // document text, model output and remote errors reach these: no escape sequence gets through
        var out = new PrintWriter(TerminalText.writer(rawOut), true);
        var err = new PrintWriter(TerminalText.writer(rawErr), true);
        var words = CommandWords.of(args);
        var quick = QuickAnswers.answer(words, env, out);
        if (quick.isPresent()) return quick.getAsInt();
        var cli = new CommandLine(new RagdeskCommand(env));
        for (var name : subcommandsFor(words)) cli.addSubcommand(name, RagdeskCommand.SUBCOMMANDS.get(name).get());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(Main::handle);
        cli.setParameterExceptionHandler(Main::usage);
        return cli.execute(args);
    }

    /**
     * The subcommands to register for {@code args}: the one the first word names; none when
     * there is no word (the console, or --version); all of them for help, or for a word that
     * is no command (so picocli's own message names the choices).
     */
    static Collection<String> subcommandsFor(CommandWords words) {
        if (words.command() == null) return words.help() ? RagdeskCommand.SUBCOMMANDS.keySet() : List.of();
        return RagdeskCommand.SUBCOMMANDS.containsKey(words.command()) && !words.help()
                ? List.of(words.command()) : RagdeskCommand.SUBCOMMANDS.keySet();
    }

    /**
     * A wrong command line gets one line that says what to do, not the whole usage block. An
     * unknown option is often a query that starts with a dash, so that case names {@code --}.
     */
    private static int usage(CommandLine.ParameterException e, String[] args) {
        var cli = e.getCommandLine();
        var name = cli.getCommandSpec().qualifiedName();
        var err = cli.getErr();
        var word = unknownDashWord(cli.getCommandSpec(), args);
        if (word != null) {
            err.println(name + ": unknown option '" + word + "'; if it is text, put -- before it: " + name + " -- " + word);
        } else {
            err.println(name + ": " + e.getMessage() + " (see " + name + " --help)");
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    /** The first word that looks like an option this command does not have, for a command that takes text. */
    private static String unknownDashWord(CommandLine.Model.CommandSpec spec, String[] args) {
        if (spec.positionalParameters().isEmpty()) return null;
        for (var arg : args) {
            if (arg.equals("--")) return null;
            if (arg.length() > 1 && arg.startsWith("-") && !arg.matches("-\\d.*") && spec.findOption(arg.split("=", 2)[0]) == null
                    && !spec.name().equals(arg) && spec.parent() != null && spec.parent().subcommands().get(arg) == null) {
                return arg;
            }
        }
        return null;
    }

    private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        var err = cli.getErr();
        var log = LoggerFactory.getLogger(Main.class);
        if (e instanceof ConfigException c) {
            log.error("config error: {}", c.getMessage(), c);
            err.println("ragdesk: " + c.getMessage());
            return ExitCodes.USAGE;
        }
        if (e instanceof RagdeskException r) {
            log.error("{}", r.getMessage(), r);
            err.println("ragdesk: " + r.getMessage());
            return ExitCodes.RUNTIME_ERROR;
        }
        if (e instanceof InterruptedException) {
            err.println("ragdesk: interrupted");
            return ExitCodes.INTERRUPTED;
        }
        log.error("unexpected failure", e);
        err.println("ragdesk: " + Failures.oneLine(e));
        return ExitCodes.RUNTIME_ERROR;
    }
}
