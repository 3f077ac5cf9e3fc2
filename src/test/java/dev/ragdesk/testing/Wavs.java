package dev.ragdesk.testing;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;

/** WAV files for dictation tests. */
public final class Wavs {
    private Wavs() {}

    /** A 440 Hz tone, 16 kHz mono 16-bit. */
    public static Path tone(Path file, double seconds) throws Exception {
        int n = (int) (16_000 * seconds);
        var bytes = new byte[n * 2];
        for (int i = 0; i < n; i++) {
            short v = (short) (8000 * Math.sin(2 * Math.PI * 440 * i / 16_000.0));
            bytes[2 * i] = (byte) v;
            bytes[2 * i + 1] = (byte) (v >> 8);
        }
        var format = new AudioFormat(16_000, 16, 1, true, false);
        try (var in = new AudioInputStream(new ByteArrayInputStream(bytes), format, n)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
        return file;
    }
}
