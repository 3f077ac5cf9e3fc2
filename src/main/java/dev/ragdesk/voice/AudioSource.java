package dev.ragdesk.voice;

import dev.ragdesk.config.Config;

import java.nio.file.Path;

/** Where dictation audio comes from: [voice].source. */
public interface AudioSource {
    String describe();

    Recording start() throws VoiceException;

    static AudioSource fromConfig(Config.Voice voice, Path home) {
        return switch (voice.source()) {
            case "command" -> new CommandSource(voice.command());
            case "file" -> new FileSource(home.resolve(voice.file()).normalize());
            default -> new MicSource();
        };
    }

    static String howToConfigure() {
        return "set [voice] source = \"command\" with a command that prints raw 16 kHz mono s16le, "
                + "e.g. command = \"ssh laptop 'sox -d -t raw -r 16000 -e signed -b 16 -c 1 -'\" (see the README)";
    }
}
