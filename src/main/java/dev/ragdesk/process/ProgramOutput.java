package dev.ragdesk.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** What a small program prints (stdout and stderr together), for questions such as `nvcc --version`: empty if it cannot run. */
public final class ProgramOutput {
    private static final int MAX_BYTES = 4 << 20;

    private ProgramOutput() {}

    public static Optional<String> of(List<String> command) {
        return of(command, Map.of());
    }

    /** With {@code environment} added to this process's own. */
    public static Optional<String> of(List<String> command, Map<String, String> environment) {
        try {
            var builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            var p = builder.start();
            p.getOutputStream().close();
            var out = new String(p.getInputStream().readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            return Optional.of(out);
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
