package dev.ragdesk.embed;

import dev.ragdesk.io.NativeCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
        try {
            var dir = into.resolve(platform.get() + "-" + main.openConnection().getContentLengthLong());
            var resources = new LinkedHashMap<String, String>();
            for (var name : List.of(System.mapLibraryName("onnxruntime"), System.mapLibraryName("onnxruntime4j_jni"))) {
                resources.put("/ai/onnxruntime/native/" + platform.get() + "/" + name, name);
            }
            return Optional.of(NativeCache.unpack(dir, resources));
        } catch (IOException e) {
            log.warn("cannot unpack ONNX Runtime into {} ({}); it unpacks itself into the temp folder", into, e.toString());
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
