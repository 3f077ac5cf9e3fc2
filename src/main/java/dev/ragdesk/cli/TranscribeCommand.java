package dev.ragdesk.cli;

import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.process.JvmCommand;
import dev.ragdesk.models.ModelFiles;
import dev.ragdesk.voice.Transcriber;
import dev.ragdesk.voice.Wav;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "transcribe", mixinStandardHelpOptions = true,
        description = "Print the transcript of a WAV file with the whisper model (for scripts, and to test dictation).")
final class TranscribeCommand implements Callable<Integer> {

    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE.wav", description = "Audio to transcribe; any PCM WAV, resampled to 16 kHz mono.")
    Path file;

    @Option(names = "--model", paramLabel = "PATH", description = "A Whisper ggml model (default: the whisper role's).")
    Path model;

    @Option(names = "--language", paramLabel = "CODE", description = "\"auto\", \"en\", \"hi\", ... (default: [voice].language).")
    String language;

    @Override
    public Integer call() throws Exception {
        var ctx = root.context(false);
        var whisper = model != null ? model.toAbsolutePath() : new ModelFiles(ctx.workspace(), ctx.config()).location("whisper");
        var transcriber = new Transcriber(whisper, language != null ? language : ctx.config().voice().language(),
                ctx.workspace().tmp(), JvmCommand.current());
        var text = transcriber.transcribe(Wav.read(file));
        spec.commandLine().getOut().println(text);
        if (text.isEmpty()) spec.commandLine().getErr().println("(no speech recognised)");
        return ExitCodes.OK;
    }
}
