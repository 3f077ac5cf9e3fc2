package dev.ragdesk.engine;

import dev.ragdesk.process.JvmCommand;
import dev.ragdesk.engine.worker.WorkerMain;
import dev.ragdesk.io.AtomicFiles;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts model worker processes: {@code java -cp <this app's classpath> WorkerMain} with a
 * small heap, java-llama.cpp's temp folder inside the workspace (its loader deletes every
 * {@code llama*} file in that folder), and the native library folder when one is known.
 *
 * <p>Workers start from a class-data-sharing archive when one exists for this exact classpath
 * and JVM; {@link #trainClassArchive()} makes it once. It cuts a worker's start to "ready"
 * from about 300 ms to about 80 ms (measured on 2 cores, with the streaming protocol codec).
 *
 * @param nativeLibDir folder with libjllama.so (a CUDA build from config, or the extracted
 *                     bundled one); null lets java-llama.cpp extract its own
 * @param cdsDir       folder for class-data-sharing archives; null disables them
 */
public record WorkerLauncher(JvmCommand jvm, Path llamaTmp, Path nativeLibDir, Path cdsDir) implements Launcher {

    static final List<String> JVM_OPTIONS = List.of(
            "-Xmx256m", "-Xss4m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            // JVM warnings (a stale archive, say) go to stderr, never into the protocol on stdout.
            "-Xlog:disable", "-Xlog:all=warning:stderr",
            "-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8");

    public WorkerLauncher(JvmCommand jvm, Path llamaTmp, Path nativeLibDir) {
        this(jvm, llamaTmp, nativeLibDir, null);
    }

    public List<String> command() {
        var options = baseOptions();
        var archive = classArchive();
        if (archive != null && Files.isRegularFile(archive)) {
            // mapped where it was recorded: relocating it to a random address cost ~30 ms a start
            options.addAll(List.of("-XX:SharedArchiveFile=" + archive, "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0"));
        }
        return jvm.build(options, WorkerMain.class.getName(), List.of());
    }

    /** Another entry point with the workers' settings (temp folder, natives), e.g. the bench's bare baseline. */
    public List<String> command(Class<?> mainClass, List<String> args) {
        return jvm.build(baseOptions(), mainClass.getName(), args);
    }

    @Override
    public String kind() { return "jvm"; }

    @Override
    public boolean prestarts() { return true; }

    @Override
    public void warmUp() { trainClassArchive(); }

    @Override
    public Worker start() throws IOException {
        Files.createDirectories(llamaTmp);
        return new WorkerProcess(new ProcessBuilder(command()).start());
    }

    /** True when workers will start from a class-data-sharing archive. */
    public boolean hasClassArchive() {
        var archive = classArchive();
        return archive != null && Files.isRegularFile(archive);
    }

    /**
     * Records the classes a worker loads up to "ready" into an archive, if there is none yet
     * for this classpath and JVM. Blocks for about a second; call it off the swap path.
     */
    public void trainClassArchive() {
        var archive = classArchive();
        if (archive == null || Files.isRegularFile(archive)) return;
        var log = LoggerFactory.getLogger(WorkerLauncher.class);
        try {
            Files.createDirectories(archive.getParent());
            Files.createDirectories(llamaTmp);
            var partial = Files.createTempFile(archive.getParent(), "training-", ".jsa");
            Files.delete(partial);
            var options = baseOptions();
            options.add("-XX:ArchiveClassesAtExit=" + partial);
            var process = new ProcessBuilder(jvm.build(options, WorkerMain.class.getName(), List.of()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            process.getOutputStream().close(); // stdin EOF: the worker starts, finds no host, exits normally
            if (process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0 && Files.isRegularFile(partial)) {
                AtomicFiles.moveIntoPlace(partial, archive);
                log.info("worker class archive ready: {}", archive);
                removeOtherArchives(archive);
            } else {
                process.destroyForcibly();
                Files.deleteIfExists(partial);
                log.warn("could not record a worker class archive; workers start without one");
            }
        } catch (IOException e) {
            log.warn("could not record a worker class archive: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Archives of earlier builds: 8 MB each, one per build, never used again (a JVM still mapping one keeps its copy). */
    private static void removeOtherArchives(Path current) {
        try (var siblings = Files.list(current.getParent())) {
            for (var old : (Iterable<Path>) siblings::iterator) {
                var name = old.getFileName().toString();
                if (name.startsWith("worker-") && name.endsWith(".jsa") && !old.equals(current)) Files.deleteIfExists(old);
            }
        } catch (IOException e) {
            LoggerFactory.getLogger(WorkerLauncher.class).warn("could not remove old worker class archives: {}", e.toString());
        }
    }

    private List<String> baseOptions() {
        var options = new ArrayList<>(JVM_OPTIONS);
        options.add("-Dde.kherud.llama.tmpdir=" + llamaTmp);
        if (nativeLibDir != null) options.add("-Dde.kherud.llama.lib.path=" + nativeLibDir);
        return options;
    }

    /** An archive name tied to the JVM and to each classpath entry's size and time, so a rebuild retrains. */
    private Path classArchive() {
        if (cdsDir == null) return null;
        var key = new StringBuilder(System.getProperty("java.vm.version", "")).append('|').append(jvm.java());
        for (var entry : jvm.classpath().split(File.pathSeparator)) {
            var file = new File(entry);
            key.append('|').append(entry).append(':').append(file.length()).append(':').append(file.lastModified());
        }
        return cdsDir.resolve("worker-" + Integer.toHexString(key.toString().hashCode()) + ".jsa");
    }

    /** The main class name that identifies worker processes in the OS process list. */
    public static String workerMainClass() {
        return WorkerMain.class.getName();
    }
}
