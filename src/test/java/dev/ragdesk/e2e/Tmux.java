package dev.ragdesk.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/** A real terminal: a tmux session driven with send-keys and read with capture-pane. */
final class Tmux implements AutoCloseable {
    private final String session;

    Tmux(String session, int cols, int rows, String command) throws Exception {
        this.session = session;
        tmux("new-session", "-d", "-s", session, "-x", String.valueOf(cols), "-y", String.valueOf(rows), command);
        tmux("set-option", "-t", session, "remain-on-exit", "on");
        tmux("set-option", "-t", session, "escape-time", "10");
    }

    static boolean available() {
        try {
            return new ProcessBuilder("tmux", "-V").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Keys as tmux names them ("Enter", "Tab", "C-c") or literal text with {@code literal}. */
    void keys(String... keys) throws Exception {
        var args = new ArrayList<>(List.of("send-keys", "-t", session));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    void type(String text) throws Exception {
        tmux("send-keys", "-t", session, "-l", text);
    }

    String screen() throws Exception {
        return tmux("capture-pane", "-p", "-t", session);
    }

    String display(String format) throws Exception {
        return tmux("display-message", "-p", "-t", session, format).strip();
    }

    /**
     * Waits until the screen satisfies {@code condition}. A terminal announces nothing, so this
     * polls capture-pane, with a deadline.
     */
    String await(String what, Duration timeout, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            last = screen();
            if (condition.test(last)) return last;
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        fail("timed out waiting for " + what + "; the screen was:\n" + last);
        return last;
    }

    String await(String text, Duration timeout) throws Exception {
        return await("\"" + text + "\"", timeout, s -> s.contains(text));
    }

    private String tmux(String... args) throws Exception {
        var cmd = new ArrayList<String>();
        cmd.add("tmux");
        cmd.addAll(List.of(args));
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("tmux " + args[0] + " failed: " + out);
        return out;
    }

    @Override
    public void close() throws Exception {
        try {
            tmux("kill-session", "-t", session);
        } catch (IOException ignored) {
            // already gone
        }
    }
}
