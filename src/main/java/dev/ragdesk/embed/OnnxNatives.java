package dev.ragdesk.embed;

import dev.ragdesk.io.AtomicFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** ONNX Runtime's two native libraries, copied out of its jar once into a folder it can load them from. */
final class OnnxNatives {
    private static final Logger log = LoggerFactory.getLogger(OnnxNatives.class);

    private OnnxNatives() {}

    /**
     * The folder holding both libraries for this platform, or empty to let ONNX Runtime unpack
     * them itself. The folder is named by the main library's size too, so two ragdesk versions
     * never swap each other's libraries.
     */
    static Optional<Path> unpack(Path into) {
        var platform = platform();
        if (platform.isEmpty()) return Optional.empty();
        var main = OnnxNatives.class.getResource("/ai/onnxruntime/native/" + platform.get() + "/" + System.mapLibraryName("onnxruntime"));
        if (main == null) return Optional.empty();
        Path dir = into;
        try {
            dir = into.resolve(platform.get() + "-" + main.openConnection().getContentLengthLong());
            for (var name : List.of(System.mapLibraryName("onnxruntime"), System.mapLibraryName("onnxruntime4j_jni"))) {
                var resource = "/ai/onnxruntime/native/" + platform.get() + "/" + name;
                var url = OnnxNatives.class.getResource(resource);
                if (url == null) return Optional.empty();
                var connection = url.openConnection();
                long size = connection.getContentLengthLong();
                var target = dir.resolve(name);
                if (Files.isRegularFile(target) && Files.size(target) == size) continue;
                Files.createDirectories(dir);
                try (var in = connection.getInputStream()) {
                    AtomicFiles.write(target, in.readAllBytes());
                }
            }
            return Optional.of(dir);
        } catch (IOException e) {
            log.warn("cannot unpack ONNX Runtime into {} ({}); it unpacks itself into the temp folder", dir, e.toString());
            return Optional.empty();
        }
    }

    /** ONNX Runtime's name for this platform: linux-x64, linux-aarch64, osx-aarch64, win-x64, ... */
    private static Optional<String> platform() {
        var os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        var arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.contains("mac") ? "osx" : os.contains("win") ? "win" : null;
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : null;
        return o == null || a == null ? Optional.empty() : Optional.of(o + "-" + a);
    }
}
