package dev.ragdesk.voice;

import java.nio.file.Path;

/** A WAV file stands in for the microphone: handy on servers, and in tests. */
public record FileSource(Path file) implements AudioSource {
    @Override
    public String describe() { return "file " + file; }

    @Override
    public Recording start() throws VoiceException {
        var clip = Wav.read(file);
        return new Recording() {
            @Override public double seconds() { return clip.seconds(); }
            @Override public double level() { return AudioClip.level(clip.samples(), 0, clip.samples().length); }
            @Override public AudioClip stop() { return clip; }
            @Override public void discard() { }
        };
    }
}
