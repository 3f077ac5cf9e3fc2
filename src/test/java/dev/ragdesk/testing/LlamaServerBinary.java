package dev.ragdesk.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;


/**
 * The llama-server the tests run against: {@code -Dragdesk.llama_server=PATH}, else the build
 * that {@code ragdesk engine install} keeps in the user's cache (.ci/run makes it), else PATH.
 * Tests that need it skip with a message when there is none.
 */
public final class LlamaServerBinary {
    private LlamaServerBinary() {}

    public static Optional<Path> find() {
        var property = System.getProperty("ragdesk.llama_server", "");
        if (!property.isBlank() && Files.isExecutable(Path.of(property))) return Optional.of(Path.of(property));
        var home = System.getenv().getOrDefault("HOME", System.getProperty("user.home"));
        var xdg = System.getenv().getOrDefault("XDG_CACHE_HOME", "");
        var cache = (xdg.isBlank() ? Path.of(home, ".cache") : Path.of(xdg)).resolve("ragdesk/engines");
        // the shared build that `engine install --backend cpu` makes: the one every engine test means
        var shared = cache.resolve("node-llama-cpp-3.22.1-cpu-dl").resolve("llama-server");
        if (Files.isExecutable(shared)) return Optional.of(shared);
        if (Files.isDirectory(cache)) {
            try (var dirs = Files.list(cache)) {
                var found = dirs.map(d -> d.resolve("llama-server")).filter(Files::isExecutable)
                        .max(Comparator.comparing(p -> p.toFile().lastModified()));
                if (found.isPresent()) return found;
            } catch (IOException ignored) {
                // fall through to PATH
            }
        }
        for (var dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isBlank() && Files.isExecutable(Path.of(dir, "llama-server"))) return Optional.of(Path.of(dir, "llama-server"));
        }
        return Optional.empty();
    }

    /**
     * The install `ragdesk engine install --backend cuda` made in the user's cache: the shared
     * build with {@code backend} beside it (on a machine without a driver it is the CUDA 13 one).
     */
    public static Path requirePrebuilt(String key) {
        var home = System.getenv().getOrDefault("HOME", System.getProperty("user.home"));
        var xdg = System.getenv().getOrDefault("XDG_CACHE_HOME", "");
        var binary = (xdg.isBlank() ? Path.of(home, ".cache") : Path.of(xdg)).resolve("ragdesk/engines").resolve(key).resolve("llama-server");
        Required.that(Files.isExecutable(binary), "no " + binary + " (run `bin/ragdesk engine install --backend cuda`, as .ci/run does)");
        return binary;
    }

    public static Path require() {
        var found = find();
        Required.that(found.isPresent(), "no llama-server (run `bin/ragdesk engine install --backend cpu`, as .ci/run does)");
        return found.get();
    }
}
