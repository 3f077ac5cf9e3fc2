package dev.ragdesk.voice;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A program that writes raw 16 kHz mono s16le audio to stdout until it is stopped: arecord on
 * the server, or for an SSH user {@code ssh laptop 'sox -d -t raw ...'} from their own microphone.
 */
public record CommandSource(String command) implements AudioSource {
    @Override
    public String describe() { return "command " + command; }

    @Override
    public Recording start() throws VoiceException {
        Process process;
        try {
            process = new ProcessBuilder(List.of("sh", "-c", command)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new VoiceException("cannot run the record command (" + e.getMessage() + "); check [voice].command", e);
        }
        var audio = new PcmBuffer(AudioClip.RATE) {
            @Override
            public AudioClip stop() throws VoiceException {
                process.destroy();
                try {
                    if (!process.waitFor(2, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                awaitPump();
                var clip = clip();
                if (clip.samples().length == 0 && process.exitValue() != 0 && process.exitValue() != 143) {
                    throw new VoiceException("the record command exited with " + process.exitValue() + " and no audio; check [voice].command");
                }
                return clip;
            }

            @Override
            public void discard() {
                process.destroyForcibly();
            }
        };
        audio.startPump("record-command", () -> {
            var buffer = new byte[4096];
            try (var in = process.getInputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) audio.append(buffer, n);
            } catch (IOException ignored) {
                // the process was stopped
            }
        });
        return audio;
    }
}
