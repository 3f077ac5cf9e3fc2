package dev.ragdesk.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.ragdesk.config.Workspace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Points logback at {@code .data/logs/ragdesk.log} once the workspace is known. The packaged
 * {@code logback.xml} logs nothing, so no line can reach a full-screen terminal before this runs.
 */
public final class Logging {
    private Logging() {}

    public static void toWorkspace(Workspace workspace, boolean mirrorToStderr) {
        var context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        context.putProperty("LOG_DIR", workspace.logs().toString());
        var configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(Logging.class.getResource("/dev/ragdesk/logback-app.xml"));
        } catch (JoranException e) {
            throw new IllegalStateException("logging configuration is broken", e);
        }
        if (mirrorToStderr) addStderr(context, "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
        ownerOnly(workspace);
    }

    /**
     * For a child worker process: everything goes to stderr, which the parent reads line by line
     * into its own log file, so only one process ever writes {@code ragdesk.log}.
     */
    public static void toStderrOnly() {
        var context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        addStderr(context, "%-5level %logger{20} - %msg%n");
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.INFO);
    }

    private static void addStderr(LoggerContext context, String pattern) {
        var encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        var console = new ConsoleAppender<ILoggingEvent>();
        console.setContext(context);
        console.setName("STDERR");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();
        var root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(console);
        root.setLevel(Level.DEBUG);
    }

    /** Log files may quote prompts and paths: keep them to the owner, like the rest of .data. */
    private static void ownerOnly(Workspace workspace) {
        try (var files = Files.list(workspace.logs())) {
            for (var f : (Iterable<java.nio.file.Path>) files::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // Not fatal: .data itself is 0700.
        }
    }
}
