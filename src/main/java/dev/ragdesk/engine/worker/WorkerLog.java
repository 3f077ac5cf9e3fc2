package dev.ragdesk.engine.worker;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * A worker's log: "LEVEL worker - message" lines on stderr, which the host reads into its own
 * log file (see LogTail). Not SLF4J: starting logback took ~80 ms of every worker start
 * (security policy parsing, method handles, time zones), and worker starts are on the swap path.
 */
final class WorkerLog {
    private WorkerLog() {}

    static void info(String message) {
        line("INFO ", message, null);
    }

    static void warn(String message) {
        line("WARN ", message, null);
    }

    static void error(String message, Throwable e) {
        line("ERROR", message, e);
    }

    private static void line(String level, String message, Throwable e) {
        var text = new StringBuilder(level).append(" worker - ").append(message);
        if (e != null) {
            var trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            text.append('\n').append(trace.toString().stripTrailing());
        }
        System.err.println(text);
    }
}
