package dev.ragdesk.voice;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.LineUnavailableException;
import javax.sound.sampled.TargetDataLine;

/**
 * This machine's microphone through javax.sound, at 16 kHz mono, or 48 kHz resampled when the
 * device refuses 16 kHz. A headless server has none; then it says how to use a command instead.
 */
public final class MicSource implements AudioSource {
    /** Where capture lines come from: the sound system, or in a test a machine with no microphone. */
    @FunctionalInterface
    public interface Lines {
        TargetDataLine line(AudioFormat format) throws LineUnavailableException;
    }

    private final Lines lines;

    public MicSource() {
        this(AudioSystem::getTargetDataLine);
    }

    public MicSource(Lines lines) {
        this.lines = lines;
    }

    @Override
    public String describe() { return "microphone"; }

    @Override
    public Recording start() throws VoiceException {
        for (float rate : new float[] {AudioClip.RATE, 48_000}) {
            var format = new AudioFormat(rate, 16, 1, true, false);
            try {
                var line = lines.line(format);
                line.open(format);
                line.start();
                return record(line, rate);
            } catch (LineUnavailableException | IllegalArgumentException | SecurityException e) {
                // try the next rate, then give up
            }
        }
        throw new VoiceException("no microphone on this machine (no audio capture line); " + AudioSource.howToConfigure());
    }

    private static Recording record(TargetDataLine line, float rate) {
        var audio = new PcmBuffer(rate) {
            @Override
            public AudioClip stop() {
                discard();
                awaitPump();
                return clip();
            }

            @Override
            public void discard() {
                line.stop();
                line.close();
            }
        };
        audio.startPump("microphone", () -> {
            var buffer = new byte[3200];
            while (line.isOpen()) {
                int n = line.read(buffer, 0, buffer.length);
                if (n <= 0) break;
                audio.append(buffer, n);
            }
        });
        return audio;
    }
}
