package dev.ragdesk.warm;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a warm server as a process of its own that outlives this one: the same Java, the same
 * JVM options (the class-data archive among them) and the same jar or class path, in a session
 * of its own where {@code setsid} exists, so the Ctrl-C or hang-up meant for the user's command
 * does not reach it; its output goes nowhere (it logs to the workspace).
 */
public final class WarmLauncher {
    private WarmLauncher() {}

    /** Options that belong to one particular run, not to a server that lives on. */
    private static final List<String> ONE_RUN_OPTIONS = List.of("-XX:ArchiveClassesAtExit", "-XX:DumpLoadedClassList",
            "-Xshare:dump", "-agentlib", "-agentpath", "-javaagent", "-Xlog",
            // bin/ragdesk's quick-compiler-only setting is for a command that ends in a second; a server lives on
            "-XX:TieredStopAtLevel");

    /** Starts it; a failure is logged, nothing more (the next command runs in its own process, as this one did). */
    public static void start(List<String> appArgs, Map<String, String> env, String mainClass) {
        var command = new ArrayList<String>();
        dev.ragdesk.io.UserPaths.onPath("setsid", env).ifPresent(setsid -> command.add(setsid.toString()));
        command.addAll(javaCommand(ProcessHandle.current().info(), mainClass));
        command.addAll(appArgs);
        try {
            new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(WarmLauncher.class).warn("could not start a warm server: {}", e.toString());
        }
    }

    /** java, its options and what it ran (-jar JAR, or a class path and {@code mainClass}), from this process's own command line. */
    static List<String> javaCommand(ProcessHandle.Info self, String mainClass) {
        var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        var command = new ArrayList<String>();
        command.add(java);
        var args = self.arguments().map(List::of).orElse(List.of());
        for (int i = 0; i < args.size(); i++) {
            var arg = args.get(i);
            if (arg.equals("-jar") && i + 1 < args.size()) {
                command.add(arg);
                command.add(args.get(i + 1));
                return command;
            }
            if (!arg.startsWith("-")) break; // the main class: what follows is the app's
            if (ONE_RUN_OPTIONS.stream().noneMatch(arg::startsWith) && !isClassPath(arg)) command.add(arg);
            if (isClassPath(arg)) i++;
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        return command;
    }

    private static boolean isClassPath(String arg) {
        return arg.equals("-cp") || arg.equals("-classpath") || arg.equals("--class-path");
    }
}
