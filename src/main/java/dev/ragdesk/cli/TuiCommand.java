package dev.ragdesk.cli;

import com.googlecode.lanterna.screen.TerminalScreen;
import com.googlecode.lanterna.terminal.DefaultTerminalFactory;
import com.googlecode.lanterna.terminal.ansi.UnixLikeTerminal;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.VersionInfo;
import dev.ragdesk.session.Session;
import dev.ragdesk.session.SessionEvent;
import dev.ragdesk.ui.tui.TuiApp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

@Command(name = "tui", mixinStandardHelpOptions = true,
        description = {"Start the full-screen console (the default command).",
                "Needs a terminal; for dumb terminals and scripts use `ragdesk chat` or `ragdesk ask`."})
final class TuiCommand implements Callable<Integer> {

    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return run(root);
    }

    int run(RagdeskCommand root) throws Exception {
        var ctx = root.context(true);
        if (System.console() == null) {
            root.spec.commandLine().getErr().println("ragdesk: the full-screen console needs a terminal; "
                    + "use `ragdesk chat` (line mode) or `ragdesk ask` from scripts and pipes.");
            return ExitCodes.USAGE;
        }
        var terminal = new DefaultTerminalFactory(System.out, System.in, StandardCharsets.UTF_8)
                .setUnixTerminalCtrlCBehaviour(UnixLikeTerminal.CtrlCBehaviour.TRAP) // Ctrl-C cancels, it does not kill
                .createTerminal();
        var screen = new TerminalScreen(terminal);
        var app = new AtomicReference<TuiApp>();
        var session = new Session(ctx.workspace(), ctx.config(), ctx.env(), VersionInfo.properties().getProperty("llama"),
                event -> { var a = app.get(); if (a != null) a.post(event); }, Session.Options.interactive("tui"));
        var restore = new Thread(() -> {
            session.close();
            try {
                screen.stopScreen();
            } catch (Exception ignored) {
                // the terminal is going away too
            }
        }, "tui-restore");
        Runtime.getRuntime().addShutdownHook(restore); // SIGTERM, SIGHUP: give the terminal back
        screen.startScreen();
        try {
            app.set(new TuiApp(screen, session, ctx.config(), Path.of("").toAbsolutePath(), osc -> {
                System.out.print(osc);
                System.out.flush();
            }));
            if (!ctx.loaded().warnings().isEmpty()) {
                // config problems reach the console too, on its notice line: nothing is ignored in silence
                app.get().post(new SessionEvent.Notice("config: " + String.join(" · ", ctx.loaded().warnings())));
            }
            session.start();
            app.get().run();
        } finally {
            session.close();
            screen.stopScreen();
            Runtime.getRuntime().removeShutdownHook(restore);
        }
        return ExitCodes.OK;
    }
}
