package dev.ragdesk.cli;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.ConfigException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.util.Map;

public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.getenv(), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        // System.exit, not a return: after a native library has been loaded the JVM keeps a
        // non-daemon thread alive and would never exit by itself (java-llama.cpp #116).
        System.exit(code);
    }

    /** Runs one command line; returns its exit code. */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        var cli = new CommandLine(new RagdeskCommand(env));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler(Main::handle);
        return cli.execute(args);
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
        err.println("ragdesk: unexpected error: " + e + " (details in .data/logs/ragdesk.log)");
        return ExitCodes.RUNTIME_ERROR;
    }
}
