package dev.ragdesk.process;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A command line that starts another JVM on this app's own classpath, for model workers. */
public record JvmCommand(Path java, String classpath) {

    /** The running JVM's java binary and classpath: the shaded jar in production, the test classpath in tests. */
    public static JvmCommand current() {
        var java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new JvmCommand(java, System.getProperty("java.class.path"));
    }

    public List<String> build(List<String> jvmOptions, String mainClass, List<String> args) {
        var cmd = new ArrayList<String>();
        cmd.add(java.toString());
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }
}
