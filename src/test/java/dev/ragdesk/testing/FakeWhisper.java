package dev.ragdesk.testing;

import dev.ragdesk.process.JvmCommand;
import dev.ragdesk.voice.Transcriber;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in for the whisper child process: a real process that answers the transcriber's
 * protocol with a fixed transcript. The fixtures hold no Whisper weights that could hear
 * speech, so this is the boundary a test cannot cross here.
 */
public final class FakeWhisper {
    private FakeWhisper() {}

    public static Transcriber saying(Path dir, String text) throws Exception {
        var script = dir.resolve("fake-whisper.sh");
        Files.writeString(script, "#!/bin/sh\nprintf '%s\\n' '{\"text\":\"" + text + "\"}'\n");
        script.toFile().setExecutable(true);
        var model = Files.writeString(dir.resolve("whisper.bin"), "stand-in");
        return new Transcriber(model, "auto", dir.resolve(".data/tmp"), new JvmCommand(script, ""));
    }
}
