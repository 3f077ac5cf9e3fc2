package dev.ragdesk.cli;

import dev.ragdesk.config.Workspace;
import dev.ragdesk.warm.WarmClient;
import dev.ragdesk.warm.WarmLauncher;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code ragdesk search} through the workspace's warm server: a search answered by a JVM that is
 * already up takes a few milliseconds where a cold start takes half a second, which scripts that
 * search many times feel. The first search runs in its own process as always and then starts the
 * server ({@code [retrieval].warm_minutes}, default 10; {@code RAGDESK_WARM=off} for one shell).
 * Searching only reads, so whenever the server cannot answer, the command simply runs here.
 */
final class WarmSearch {
    private WarmSearch() {}

    static final String OFF_ENV = "RAGDESK_WARM";
    static final String SERVE_COMMAND = "serve-searches";
    private static final java.util.Set<String> NOT_SERVED = java.util.Set.of("-h", "--help", "-V", "--version", "-v", "--verbose");

    /** A search command line with the workspace it names taken out. */
    record Line(Workspace workspace, List<String> args) {
        /** What the server runs: the workspace made absolute here, so the server's own folder does not matter. */
        List<String> forServer() {
            var all = new ArrayList<String>(List.of("--home", workspace.home().toString()));
            all.addAll(args);
            return all;
        }
    }

    /** Prints the warm server's answer and returns its exit code; empty when this process must run the command. */
    static OptionalInt forward(String[] args, Map<String, String> env, OutputStream out, OutputStream err) {
        if (off(env)) return OptionalInt.empty();
        Optional<Line> line;
        try {
            line = parse(args, env);
        } catch (RuntimeException e) {
            return OptionalInt.empty(); // a line this cannot read is picocli's to explain
        }
        if (line.isEmpty()) return OptionalInt.empty();
        var workspace = line.get().workspace();
        return WarmClient.run(workspace.searchServerEndpoint(), fingerprint(env), workspace.home(), line.get().forServer(), out, err);
    }

    /** After a search this process ran: start the server for the next ones, unless one is not wanted. */
    static void startServerAfter(AppContext ctx) {
        if (!ctx.host().startsWarmServer() || off(ctx.env()) || ctx.config().retrieval().warmMinutes() <= 0) return;
        WarmLauncher.start(List.of("--home", ctx.workspace().home().toString(), SERVE_COMMAND), ctx.env(), Main.class.getName());
    }

    /**
     * The workspace's warm server, running search lines through {@link Main#run} with {@code host}
     * (anything else is refused with a usage error: only a client bug would send it).
     */
    static dev.ragdesk.warm.WarmServer server(AppContext ctx, CommandHost host, java.util.function.Supplier<java.time.Duration> idleLimit) {
        var env = ctx.env();
        dev.ragdesk.warm.WarmServer.Runner runner = (args, out, err) -> {
            var argv = args.toArray(String[]::new);
            if (parse(argv, env).isPresent()) return Main.run(argv, env, out, err, host);
            err.println("ragdesk: the warm server runs searches only");
            return ExitCodes.USAGE;
        };
        var workspace = ctx.workspace();
        return new dev.ragdesk.warm.WarmServer(workspace.searchServerEndpoint(), workspace.searchServerLock(), fingerprint(env),
                runner, idleLimit);
    }

    private static boolean off(Map<String, String> env) {
        return "off".equalsIgnoreCase(env.getOrDefault(OFF_ENV, "").trim());
    }

    /**
     * The build and the environment a server's answers depend on: a server of another jar or
     * Java, or one started where the model caches are elsewhere, must not answer.
     */
    static String fingerprint(Map<String, String> env) {
        // the jar's size and time, not the version resource: reading that costs the client 15 ms
        var parts = new StringBuilder();
        try {
            var jar = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            parts.append(jar);
            if (Files.isRegularFile(jar)) parts.append('|').append(Files.size(jar)).append('|').append(Files.getLastModifiedTime(jar).toMillis());
        } catch (Exception e) {
            parts.append("|unknown-build");
        }
        parts.append('|').append(System.getProperty("java.home")).append('|').append(System.getProperty("java.runtime.version"));
        for (var key : new String[] {"HOME", "HF_HOME", "HF_HUB_CACHE", "XDG_CACHE_HOME", "DJL_CACHE_DIR"}) {
            parts.append('|').append(key).append('=').append(env.getOrDefault(key, ""));
        }
        return parts.toString();
    }

    /**
     * {@code [--home DIR] search ...}: the line, if it is a search the server may run. Help,
     * version and verbose lines are not: they print what only this process should.
     */
    static Optional<Line> parse(String[] args, Map<String, String> env) {
        Path home = null;
        String command = null;
        var rest = new ArrayList<String>();
        boolean literal = false;
        for (int i = 0; i < args.length; i++) {
            var arg = args[i];
            if (!literal) {
                if (arg.equals("--")) {
                    literal = true;
                } else if (arg.equals("--home")) {
                    if (i + 1 >= args.length) return Optional.empty();
                    home = Path.of(args[++i]);
                    continue;
                } else if (arg.startsWith("--home=")) {
                    home = Path.of(arg.substring("--home=".length()));
                    continue;
                } else if (NOT_SERVED.contains(arg)) {
                    return Optional.empty();
                } else if (command == null && !arg.startsWith("-")) {
                    command = arg;
                }
            }
            if (command == null) return Optional.empty(); // an option before the command: not a line this knows
            rest.add(arg);
        }
        if (!"search".equals(command)) return Optional.empty();
        try {
            return Optional.of(new Line(Workspace.resolve(home, env), rest));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
