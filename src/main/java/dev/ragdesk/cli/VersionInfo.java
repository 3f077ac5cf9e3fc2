package dev.ragdesk.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.util.Properties;

/** {@code ragdesk --version}: this build and the native engines it bundles. */
public final class VersionInfo implements CommandLine.IVersionProvider {

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

    @Override
    public String[] getVersion() {
        var props = properties();
        return new String[] {
                "ragdesk " + props.getProperty("version", "unknown"),
                "java-llama.cpp " + props.getProperty("llama", "unknown") + " (CPU natives; see README for CUDA)",
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"
        };
    }
}
