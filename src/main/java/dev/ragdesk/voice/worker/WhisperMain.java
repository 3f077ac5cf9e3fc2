package dev.ragdesk.voice.worker;

import dev.ragdesk.io.NativeCache;
import io.github.givimad.whisperjni.WhisperFullParams;
import io.github.givimad.whisperjni.WhisperJNI;
import io.github.givimad.whisperjni.WhisperSamplingStrategy;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One transcription in a child process: whisper.cpp has open SIGSEGV reports, and a crash
 * here must not take the console down. Reads float32 little-endian PCM (16 kHz mono) from a
 * file, prints one line: {@code {"text": ...}} or {@code {"error": ...}}. Native logs go to stderr.
 * Args: model, pcm file, language, threads.
 */
public final class WhisperMain {
    public static void main(String[] args) throws Exception {
        var out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        // Ctrl-C in the REPL reaches the whole process group; the parent decides what it means
        Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
        int status = 0;
        try {
            var model = Path.of(args[0]);
            var bytes = Files.readAllBytes(Path.of(args[1]));
            var samples = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(samples);
            if (System.getProperty(WhisperNatives.LIBDIR) == null) {
                WhisperNatives.unpack(NativeCache.dir(System.getenv()))
                        .ifPresent(dir -> System.setProperty(WhisperNatives.LIBDIR, dir.toString()));
            }
            WhisperJNI.loadLibrary(message -> System.err.println("whisper: " + message.strip()));
            WhisperJNI.setLibraryLogger(message -> System.err.println("whisper: " + message.strip()));
            var whisper = new WhisperJNI();
            try (var context = whisper.init(model)) {
                if (context == null) {
                    out.println(json("error", model.getFileName() + " is not a Whisper model (whisper.cpp refused it)"));
                    status = 2;
                } else {
                    var params = new WhisperFullParams(WhisperSamplingStrategy.GREEDY);
                    params.language = args[2];
                    params.printProgress = false;
                    params.printRealtime = false;
                    params.printTimestamps = false;
                    params.noTimestamps = true;
                    params.singleSegment = false;
                    params.nThreads = Integer.parseInt(args[3]);
                    int result = whisper.full(context, params, samples, samples.length);
                    if (result != 0) {
                        out.println(json("error", "whisper.cpp failed (" + result + ")"));
                        status = 1;
                    } else {
                        var text = new StringBuilder();
                        for (int i = 0; i < whisper.fullNSegments(context); i++) text.append(whisper.fullGetSegmentText(context, i));
                        out.println(json("text", text.toString().strip()));
                    }
                }
            }
        } catch (Exception | Error e) {
            out.println(json("error", e.getClass().getSimpleName() + ": " + e.getMessage()));
            status = 1;
        }
        out.flush();
        Runtime.getRuntime().halt(status);
    }

    private static String json(String key, String value) {
        var escaped = new StringBuilder();
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> escaped.append("\\\"");
                case '\\' -> escaped.append("\\\\");
                case '\n' -> escaped.append("\\n");
                default -> {
                    if (c < 0x20) escaped.append(String.format("\\u%04x", (int) c));
                    else escaped.append(c);
                }
            }
        }
        return "{\"" + key + "\":\"" + escaped + "\"}";
    }
}
