package dev.ragdesk.voice;

/** Audio being captured. Stop it to get the clip, or discard it (Ctrl-C). */
public interface Recording {
    /** Seconds captured so far. */
    double seconds();

    /** Recent loudness, 0..1, for a level meter. */
    double level();

    AudioClip stop() throws VoiceException;

    void discard();
}
