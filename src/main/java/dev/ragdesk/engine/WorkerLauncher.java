package dev.ragdesk.engine;

import dev.ragdesk.engine.worker.WorkerMain;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts model worker processes: {@code java -cp <this app's classpath> WorkerMain} with a
 * small heap, java-llama.cpp's temp folder inside the workspace (its loader deletes every
 * {@code llama*} file in that folder), and the native library folder when one is known.
 *
 * @param nativeLibDir folder with libjllama.so (a CUDA build from config, or the extracted
 *                     bundled one); null lets java-llama.cpp extract its own
 */
public record WorkerLauncher(JvmCommand jvm, Path llamaTmp, Path nativeLibDir) {

    static final List<String> JVM_OPTIONS = List.of(
            "-Xmx256m", "-Xss4m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            "-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8");

    public List<String> command() {
        var options = new ArrayList<>(JVM_OPTIONS);
        options.add("-Dde.kherud.llama.tmpdir=" + llamaTmp);
        if (nativeLibDir != null) options.add("-Dde.kherud.llama.lib.path=" + nativeLibDir);
        return jvm.build(options, WorkerMain.class.getName(), List.of());
    }

    public WorkerProcess start() throws IOException {
        java.nio.file.Files.createDirectories(llamaTmp);
        var process = new ProcessBuilder(command()).start();
        return new WorkerProcess(process);
    }

    /** The main class name that identifies worker processes in the OS process list. */
    public static String workerMainClass() {
        return WorkerMain.class.getName();
    }
}
