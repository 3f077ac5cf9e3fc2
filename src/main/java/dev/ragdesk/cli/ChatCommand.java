package dev.ragdesk.cli;

import dev.ragdesk.app.VersionInfo;
import dev.ragdesk.session.Session;
import dev.ragdesk.ui.line.LineRepl;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Line-mode REPL (JLine) for dumb terminals, `script` logs and pipes.",
                "Same modes, slash commands, sessions and citations as the console.",
                "With stdin not a terminal, reads one question per line and prints the answers."})
final class ChatCommand implements Callable<Integer> {

    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var ctx = root.context(false);
        var repl = new AtomicReference<LineRepl>();
        try (var session = new Session(ctx.workspace(), ctx.config(), ctx.env(), VersionInfo.properties().getProperty("llama"),
                event -> { var r = repl.get(); if (r != null) r.onEvent(event); }, Session.Options.interactive("chat"))) {
            repl.set(new LineRepl(session, ctx.config(), Path.of("").toAbsolutePath()));
            session.start();
            if (System.console() == null) {
                try (var interrupts = new Interrupts()) {
                    interrupts.onInterrupt(session::cancel);
                    var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                    return repl.get().runPiped(in, spec.commandLine().getOut(), spec.commandLine().getErr());
                }
            }
            try (var terminal = TerminalBuilder.builder().system(true).name("ragdesk").build()) {
                return repl.get().runInteractive(terminal, ctx.workspace().data().resolve("history"));
            }
        }
    }
}
