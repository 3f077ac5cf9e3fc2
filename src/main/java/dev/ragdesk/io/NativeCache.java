package dev.ragdesk.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Native libraries that jars carry, copied out once per user into {@code
 * ~/.cache/ragdesk/natives} (or {@code $XDG_CACHE_HOME/ragdesk/natives}) and loaded from there.
 * Left to themselves, ONNX Runtime, whisper-jni and junixsocket copy their libraries into a new
 * temp folder on every start and leave it behind whenever the process is killed. Per user rather
 * than per workspace, because each library reads its setting once per process.
 */
public final class NativeCache {
    private NativeCache() {}

    public static Path dir(Map<String, String> env) {
        var xdg = env.get("XDG_CACHE_HOME");
        var base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("ragdesk").resolve("natives");
    }

    /**
     * Copies each classpath resource (key) to {@code dir/name} (value), unless a file of that
     * size is already there; written atomically, so a start killed half-way leaves no torn
     * library. The caller names {@code dir} after the version, so two versions never share one.
     */
    public static Path unpack(Path dir, Map<String, String> resources) throws IOException {
        AtomicFiles.ownerOnlyDirectory(dir);
        for (var entry : resources.entrySet()) {
            var url = NativeCache.class.getResource(entry.getKey());
            if (url == null) throw new IOException("no " + entry.getKey() + " in ragdesk's jar");
            var connection = url.openConnection();
            var target = dir.resolve(entry.getValue());
            if (Files.isRegularFile(target) && Files.size(target) == connection.getContentLengthLong()) continue;
            try (var in = connection.getInputStream()) {
                AtomicFiles.write(target, in.readAllBytes());
            }
        }
        return dir;
    }

    /** The running CPU's feature flags, from /proc/cpuinfo (empty where there is none). */
    public static String cpuFlags() {
        try {
            return Files.readString(Path.of("/proc/cpuinfo")).lines().filter(l -> l.startsWith("flags"))
                    .findFirst().orElse("");
        } catch (IOException e) {
            return "";
        }
    }
}
