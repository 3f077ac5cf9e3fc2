package dev.ragdesk.testing;

import dev.ragdesk.process.JvmCommand;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs a main class of the test classpath in a child JVM. Tests that load a native model do so
 * in a child, because such a JVM never exits by itself (upstream java-llama.cpp #116).
 */
public final class ChildJvm {

    public record Result(int exitCode, String stdout, String stderr) {
        public String lastLineStartingWith(String prefix) {
            return stdout.lines().filter(l -> l.startsWith(prefix)).reduce((a, b) -> b)
                    .map(l -> l.substring(prefix.length())).orElse(null);
        }
    }

    private final Path workDir;
    private final List<String> jvmOptions = new ArrayList<>();

    public ChildJvm(Path workDir) {
        this.workDir = workDir;
        jvmOptions.add("-Xmx256m");
        jvmOptions.add("-Dde.kherud.llama.tmpdir=" + workDir.resolve("llama-tmp"));
    }

    public ChildJvm option(String jvmOption) {
        jvmOptions.add(jvmOption);
        return this;
    }

    public Result run(Duration timeout, Class<?> mainClass, String... args) throws IOException, InterruptedException {
        Files.createDirectories(workDir.resolve("llama-tmp"));
        var out = Files.createTempFile(workDir, "out", ".txt");
        var err = Files.createTempFile(workDir, "err", ".txt");
        var cmd = JvmCommand.current().build(jvmOptions, mainClass.getName(), List.of(args));
        var process = new ProcessBuilder(cmd).directory(workDir.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            fail("child JVM " + mainClass.getSimpleName() + " did not finish within " + timeout + "; stderr:\n" + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }
}
