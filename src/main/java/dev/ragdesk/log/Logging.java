package dev.ragdesk.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.FileSize;
import dev.ragdesk.config.Workspace;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Points logback at {@code .data/logs/ragdesk.log} once the workspace is known: rolled at
 * 10 MB, five files kept. Until then {@link SilentUntilConfigured} logs nothing, so no line can
 * reach a full-screen terminal before this runs. Built in code, not from XML, which would load
 * an XML parser on every start.
 */
public final class Logging {
    private Logging() {}

    public static void toWorkspace(Workspace workspace, boolean mirrorToStderr) {
        var context = context();
        var target = workspace.home() + (mirrorToStderr ? " +stderr" : "");
        synchronized (context) {
            // tests and the class recorder run many command lines in one JVM: reset only for another workspace
            if (target.equals(context.getObject(CONFIGURED_FOR))) return;
            configure(context, workspace, mirrorToStderr);
            context.putObject(CONFIGURED_FOR, target);
        }
    }

    private static final String CONFIGURED_FOR = "ragdesk.logging.configured-for";

    private static void configure(LoggerContext context, Workspace workspace, boolean mirrorToStderr) {
        context.reset();
        var logs = workspace.logs();
        var file = new RollingFileAppender<ILoggingEvent>();
        file.setContext(context);
        file.setName("FILE");
        file.setFile(logs.resolve("ragdesk.log").toString());
        var rolling = new FixedWindowRollingPolicy();
        rolling.setContext(context);
        rolling.setParent(file);
        rolling.setFileNamePattern(logs.resolve("ragdesk.%i.log").toString());
        rolling.setMinIndex(1);
        rolling.setMaxIndex(5);
        rolling.start();
        var trigger = new SizeBasedTriggeringPolicy<ILoggingEvent>();
        trigger.setContext(context);
        trigger.setMaxFileSize(FileSize.valueOf("10MB"));
        trigger.start();
        file.setRollingPolicy(rolling);
        file.setTriggeringPolicy(trigger);
        file.setEncoder(encoder(context, "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{30} - %msg%n"));
        file.start();
        var root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(file);
        root.setLevel(Level.INFO);
        if (mirrorToStderr) addStderr(context, "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n");
        ownerOnly(workspace);
    }

    private static void addStderr(LoggerContext context, String pattern) {
        var console = new ConsoleAppender<ILoggingEvent>();
        console.setContext(context);
        console.setName("STDERR");
        console.setTarget("System.err");
        console.setEncoder(encoder(context, pattern));
        console.start();
        var root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(console);
        root.setLevel(Level.DEBUG);
    }

    /**
     * Logback's context. SLF4J hands a stand-in factory to a thread that asks while another
     * thread is still initialising it (a ClassCastException here, seen with searches started
     * at once in one JVM); it initialises holding LoggerFactory's monitor, so taking that
     * monitor first waits for it to finish.
     */
    private static LoggerContext context() {
        synchronized (LoggerFactory.class) {
            return (LoggerContext) LoggerFactory.getILoggerFactory();
        }
    }

    private static PatternLayoutEncoder encoder(LoggerContext context, String pattern) {
        var encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
        encoder.start();
        return encoder;
    }

    /** Log files may quote prompts and paths: keep them to the owner, like the rest of .data. */
    private static void ownerOnly(Workspace workspace) {
        try (var files = Files.list(workspace.logs())) {
            for (var f : (Iterable<Path>) files::iterator) {
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // Not fatal: .data itself is 0700.
        }
    }
}
