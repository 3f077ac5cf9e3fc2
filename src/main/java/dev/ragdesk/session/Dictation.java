package dev.ragdesk.session;

import dev.ragdesk.config.Config;
import dev.ragdesk.config.Workspace;
import dev.ragdesk.process.JvmCommand;
import dev.ragdesk.models.ModelFiles;
import dev.ragdesk.voice.AudioSource;
import dev.ragdesk.voice.Recording;
import dev.ragdesk.voice.Transcriber;
import dev.ragdesk.voice.VoiceException;

/** Dictation for both UIs: record from [voice].source, then transcribe with the whisper model. */
public final class Dictation {
    private final AudioSource source;
    private final Transcriber transcriber;
    private Recording recording;

    /**
     * {@code source} null: [voice].source; {@code transcriber} null: whisper with the configured
     * model, in a child JVM.
     */
    public Dictation(Workspace workspace, Config config, AudioSource source, Transcriber transcriber) {
        this.source = source != null ? source : AudioSource.fromConfig(config.voice(), workspace.home());
        this.transcriber = transcriber != null ? transcriber : new Transcriber(new ModelFiles(workspace, config).location("whisper"),
                config.voice().language(), workspace.tmp(), JvmCommand.current());
    }

    public synchronized boolean recording() { return recording != null; }

    /** Seconds and level of the recording in progress, for an indicator. */
    public synchronized double[] meter() {
        return recording == null ? new double[] {0, 0} : new double[] {recording.seconds(), recording.level()};
    }

    public synchronized void start() throws VoiceException {
        if (recording != null) return;
        recording = source.start();
    }

    /** Stops recording and returns the transcript (blocks while whisper runs). */
    public String finish() throws VoiceException {
        Recording r;
        synchronized (this) {
            r = recording;
            recording = null;
        }
        if (r == null) throw new VoiceException("not recording");
        return transcriber.transcribe(r.stop());
    }

    /** Drops the recording (Ctrl-C). */
    public synchronized void discard() {
        if (recording != null) recording.discard();
        recording = null;
    }
}
