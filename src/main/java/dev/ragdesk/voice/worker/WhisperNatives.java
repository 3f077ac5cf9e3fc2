package dev.ragdesk.voice.worker;

import dev.ragdesk.io.NativeCache;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Optional;

/**
 * whisper-jni's libraries, unpacked once per user. Left to itself, whisper-jni 1.7.1 copies
 * them into a new {@code whisper-jni-<nanos>} folder in the temp directory on every load and
 * never removes it: one folder per dictation. Given {@code io.github.givimad.whisperjni.libdir},
 * it loads from that folder instead and unpacks nothing. The ggml variant is chosen as
 * whisper-jni chooses it: the AVX2 build where the CPU has avx, avx2, fma and f16c.
 */
final class WhisperNatives {
    static final String LIBDIR = "io.github.givimad.whisperjni.libdir";
    private static final String VERSION = "1.7.1";

    private WhisperNatives() {}

    /** The folder to load from, for Linux on x86-64; elsewhere empty, and whisper-jni unpacks as it does. */
    static Optional<Path> unpack(Path natives) throws IOException {
        var os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        var arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) return Optional.empty();
        var flags = " " + NativeCache.cpuFlags() + " ";
        boolean fast = flags.contains(" avx ") && flags.contains(" avx2 ") && flags.contains(" fma ") && flags.contains(" f16c ");
        var ggml = fast ? "libggml+mf16c+mfma+mavx+mavx2.so" : "libggml.so";
        var resources = new LinkedHashMap<String, String>();
        resources.put("/debian-amd64/libwhisper-jni.so", "libwhisper-jni.so");
        resources.put("/debian-amd64/libwhisper.so.1", "libwhisper.so.1");
        resources.put("/debian-amd64/" + ggml, "libggml.so");
        return Optional.of(NativeCache.unpack(natives.resolve("whisper-jni-" + VERSION + (fast ? "-avx2" : "")), resources));
    }
}
