package dev.ragdesk.cli;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.models.Catalogue;
import dev.ragdesk.models.Downloader;
import dev.ragdesk.models.HfCache;
import dev.ragdesk.models.HubClient;
import dev.ragdesk.models.ModelFiles;
import dev.ragdesk.models.ModelInstaller;
import dev.ragdesk.models.Transfer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "download", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download models from Hugging Face into .data/models: resumable, sha256-verified.",
                "Uses $HF_ENDPOINT (or [hub].endpoint) and $HF_TOKEN (or the variable [hub].token_env names).",
                "A file already in the huggingface_hub cache is linked instead of downloaded.",
                "Ctrl-C stops and keeps the partial file; the next run resumes it."})
final class DownloadCommand implements Callable<Integer> {

    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ROLE|ORG/NAME:FILE", arity = "0..*",
            description = "rag, chat, whisper, embed, tts, or any hub file as ORG/NAME:FILE.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--all", description = "Every model the app uses: rag, chat, whisper and embed.")
    boolean all;

    @Override
    public Integer call() throws Exception {
        var ctx = root.context(false);
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        var wanted = new ArrayList<>(targets);
        if (all) wanted.addAll(new Catalogue(ctx.config()).usedRoles());
        if (wanted.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "name what to download: a role (rag, chat, whisper, embed, tts), ORG/NAME:FILE, or --all");
        }
        var catalogue = new Catalogue(ctx.config());
        var files = new ModelFiles(ctx.workspace(), ctx.config());
        var hubSettings = ctx.config().hub();
        var hub = HubClient.fromEnvironment(ctx.env(), hubSettings.endpoint(), hubSettings.tokenEnv());
        var installer = new ModelInstaller(hub, Downloader.forHub(hub), HfCache.fromEnvironment(ctx.env()));
        boolean terminal = System.console() != null;

        int failures = 0;
        try (var interrupts = new Interrupts()) {
            for (var argument : wanted.stream().distinct().toList()) {
                var transfer = new Transfer();
                interrupts.onInterrupt(transfer::cancel);
                try {
                    for (var target : ModelInstaller.targets(argument, catalogue, files, ctx.workspace().models())) {
                        err.println(target.label() + ": " + target.repo() + " " + target.file() + licenceNote(catalogue, target.label()));
                        var progress = new ProgressLine(err, terminal);
                        var outcome = installer.install(target, progress::update, transfer);
                        var verified = outcome.record().verified().equals("sha256") ? "sha256 verified" : "size checked";
                        out.println(target.label() + ": " + outcome.how() + " " + outcome.file() + " (" + verified + ")");
                    }
                } catch (Downloader.DownloadCancelled e) {
                    err.println();
                    err.println("ragdesk download: " + e.getMessage());
                    return ExitCodes.INTERRUPTED;
                } catch (RagdeskException e) {
                    if (interrupts.fired()) return ExitCodes.INTERRUPTED;
                    failures++;
                    err.println();
                    err.println("ragdesk download: " + argument + ": " + e.getMessage());
                }
            }
        }
        return failures == 0 ? ExitCodes.OK : ExitCodes.RUNTIME_ERROR;
    }

    private static String licenceNote(Catalogue catalogue, String argument) {
        return catalogue.entries().stream().filter(e -> e.role().equals(argument)).findFirst()
                .map(e -> " (licence: " + e.licence() + ")").orElse("");
    }
}
