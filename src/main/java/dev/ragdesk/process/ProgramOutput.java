package dev.ragdesk.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a small program prints (stdout and stderr together), for questions such as `nvcc
 * --version`: empty if it cannot run, or does not end in time. The output is read on its own
 * thread, so a program that hangs (a GPU driver's start-up, say) is ended at the limit instead of
 * holding its caller, which may be a session starting.
 */
public final class ProgramOutput {
    private static final int MAX_BYTES = 4 << 20;
    private static final Duration LIMIT = Duration.ofSeconds(10);

    private ProgramOutput() {}

    public static Optional<String> of(List<String> command) {
        return of(command, Map.of(), LIMIT);
    }

    /** With {@code environment} added to this process's own, ended after {@code limit}. */
    public static Optional<String> of(List<String> command, Map<String, String> environment, Duration limit) {
        Process p;
        try {
            var builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            p = builder.start();
            p.getOutputStream().close();
        } catch (IOException e) {
            return Optional.empty();
        }
        var out = new ByteArrayOutputStream();
        var reader = Threads.start(() -> {
            try (var in = p.getInputStream()) {
                out.write(in.readNBytes(MAX_BYTES));
            } catch (IOException e) {
                // ended with the process: what was read stays
            }
        }, "program-output");
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                return Optional.empty();
            }
            reader.join(limit.toMillis());
            return Optional.of(out.toString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
