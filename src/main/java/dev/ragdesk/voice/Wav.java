package dev.ragdesk.voice;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads WAV files of any common PCM format into a 16 kHz mono clip. */
public final class Wav {
    private Wav() {}

    public static AudioClip read(Path file) throws VoiceException {
        if (!Files.isRegularFile(file)) throw new VoiceException("no such audio file: " + file);
        try (var source = AudioSystem.getAudioInputStream(file.toFile())) {
            var in = source.getFormat();
            if (!(in.getSampleRate() >= 1) || in.getChannels() < 1 || in.getChannels() > 64) {
                throw new VoiceException(file + " is not usable audio: its header says " + in.getSampleRate() + " Hz, "
                        + in.getChannels() + " channel(s); record it again, or convert it (sox in.wav -r 16000 -c 1 out.wav)");
            }
            var pcm = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, in.getSampleRate(), 16, in.getChannels(),
                    in.getChannels() * 2, in.getSampleRate(), false);
            try (var converted = AudioSystem.getAudioInputStream(pcm, source)) {
                var bytes = converted.readAllBytes();
                int channels = in.getChannels();
                int frames = bytes.length / (2 * channels);
                var mono = new float[frames];
                for (int f = 0; f < frames; f++) {
                    float sum = 0;
                    for (int c = 0; c < channels; c++) {
                        int i = (f * channels + c) * 2;
                        sum += (short) (((bytes[i + 1]) << 8) | (bytes[i] & 0xFF)) / 32768f;
                    }
                    mono[f] = sum / channels;
                }
                return AudioClip.resampled(mono, in.getSampleRate());
            }
        } catch (UnsupportedAudioFileException e) {
            throw new VoiceException("not a WAV file this app can read: " + file + " (" + e.getMessage() + ")", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new VoiceException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
