package dev.ragdesk.app;

import picocli.CommandLine;

import java.io.IOException;
import java.util.Properties;

/** {@code ragdesk --version}: this build and the native engines it bundles. */
public final class VersionInfo {

    /** picocli's view of {@link #lines()}; a class of its own so the quick path never loads picocli. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return lines();
        }
    }

    public static Properties properties() {
        var props = new Properties();
        try (var in = VersionInfo.class.getResourceAsStream("/dev/ragdesk/version.properties")) {
            if (in != null) props.load(in);
        } catch (IOException ignored) {
            // Versions are informative only.
        }
        return props;
    }

    public static String version() { return properties().getProperty("version", "unknown"); }

    /** The --version text, without touching picocli (whose classes cost start-up time to load). */
    public static String[] lines() {
        var props = properties();
        return new String[] {
                "ragdesk " + props.getProperty("version", "unknown"),
                "java-llama.cpp " + props.getProperty("llama", "unknown") + " (CPU natives; see README for CUDA)",
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
        };
    }
}
