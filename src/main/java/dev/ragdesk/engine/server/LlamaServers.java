package dev.ragdesk.engine.server;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.io.UserPaths;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a llama-server binary: the configured path, then ragdesk's own installs (this
 * workspace's {@code .data/engines/}, then the user's build cache shared by every workspace),
 * then {@code PATH}. A candidate counts only if its {@code --version} says it is llama.cpp.
 */
public final class LlamaServers {
    public static final String BINARY = "llama-server";

    /** A usable binary, its version line, and where it was found ("[engine].llama_server", "ragdesk's install", "PATH"). */
    public record Found(Path path, String version, String source) {}

    private LlamaServers() {}

    /**
     * Builds shared by every workspace of this user: {@code $XDG_CACHE_HOME/ragdesk/engines},
     * else {@code $HOME/.cache/ragdesk/engines}; empty when the environment names neither.
     */
    public static Optional<Path> userCache(Map<String, String> env) {
        var xdg = env.getOrDefault("XDG_CACHE_HOME", "");
        var home = env.getOrDefault("HOME", "");
        if (xdg.isBlank() && home.isBlank()) return Optional.empty();
        var base = xdg.isBlank() ? Path.of(home, ".cache") : Path.of(xdg);
        return Optional.of(base.resolve("ragdesk").resolve("engines"));
    }

    /**
     * The configured binary (which must work), else the first working one found; empty when
     * there is none. {@code notes} collects why candidates were passed over.
     */
    public static Optional<Found> find(Workspace workspace, String configured, Map<String, String> env, List<String> notes)
            throws RagdeskException {
        if (!configured.isBlank()) {
            var path = workspace.home().resolve(UserPaths.expandHome(configured)).normalize();
            return Optional.of(check(path, "[engine].llama_server"));
        }
        var candidates = new ArrayList<Path>();
        candidates.addAll(installs(workspace.data().resolve("engines")));
        userCache(env).ifPresent(cache -> candidates.addAll(installs(cache)));
        for (var dir : env.getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isBlank()) candidates.add(Path.of(dir, BINARY));
        }
        for (var candidate : candidates) {
            if (!Files.isRegularFile(candidate)) continue;
            try {
                boolean ours = candidate.startsWith(workspace.data()) || userCache(env).map(candidate::startsWith).orElse(false);
                var source = ours ? "ragdesk's install" : "PATH";
                return Optional.of(check(candidate, source));
            } catch (RagdeskException e) {
                notes.add(e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** {@code DIR/<version>-<backend>/llama-server}, newest first. */
    static List<Path> installs(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (var entries = Files.list(dir)) {
            return entries.map(d -> d.resolve(BINARY)).filter(Files::isRegularFile)
                    .sorted(Comparator.comparing((Path p) -> p.toFile().lastModified()).reversed()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static final Pattern VERSION_LINE = Pattern.compile("^(?:[\\d.]+ [A-Z] )?version: (.+)$");

    /** Runs {@code --version}: llama.cpp's binaries print "version: N (commit)". */
    public static Found check(Path binary, String source) throws RagdeskException {
        if (!Files.isRegularFile(binary)) {
            throw new RagdeskException(source + " names " + binary + ", which does not exist; run `ragdesk engine install` or fix the path");
        }
        if (!Files.isExecutable(binary)) throw new RagdeskException(binary + " is not executable; chmod +x it, or fix " + source);
        try {
            var p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            p.getOutputStream().close();
            var out = new String(p.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            // llama.cpp's logger may put a timestamp and level before it ("0.00.000.377 I version: …")
            var version = out.lines().map(VERSION_LINE::matcher).filter(Matcher::find).findFirst();
            if (version.isEmpty()) {
                var said = out.lines().findFirst().orElse("nothing").strip();
                throw new RagdeskException(binary + " is not llama-server (its --version said: " + abbreviate(said) + "); fix " + source);
            }
            return new Found(binary, version.get().group(1).strip(), source);
        } catch (IOException e) {
            throw new RagdeskException("cannot run " + binary + " (" + e.getMessage() + "); fix " + source, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RagdeskException("interrupted while checking " + binary, e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "…";
    }
}
