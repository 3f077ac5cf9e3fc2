package dev.ragdesk.cli;

import dev.ragdesk.app.ExitCodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class CliTest {

    @TempDir Path home;

    private CliRun run(String... args) {
        return CliRun.exec(Map.of("RAGDESK_HOME", home.toString()), args);
    }

    @Test
    void helpListsEveryCommand() {
        var r = run("--help");
        assertEquals(0, r.code());
        for (var cmd : new String[] {"tui", "chat", "ask", "index", "search", "download", "models", "status", "config", "bench"}) {
            assertTrue(r.out().contains("  " + cmd + " "), cmd + " missing from:\n" + r.out());
        }
    }

    @Test
    void versionNamesTheBuildAndEngine() {
        var r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("ragdesk 0."), r.out());
        assertTrue(r.out().contains("java-llama.cpp 4.2.0"), r.out());
    }

    @Test
    void unknownOptionIsUsageError() {
        var r = run("--no-such-option");
        assertEquals(ExitCodes.USAGE, r.code());
        assertTrue(r.err().contains("Unknown option: '--no-such-option'"), r.err());
    }

    @Test
    void homeComesFromOptionThenEnvironment() throws Exception {
        var other = Files.createDirectory(home.resolve("other"));
        var fromEnv = run("config", "--path");
        assertEquals(home.resolve("config.toml").toString(), fromEnv.out().trim());
        var fromOption = run("--home", other.toString(), "config", "--path");
        assertEquals(other.resolve("config.toml").toString(), fromOption.out().trim());
        var optionAfterCommand = run("config", "--path", "--home", other.toString());
        assertEquals(other.resolve("config.toml").toString(), optionAfterCommand.out().trim());
    }

    @Test
    void dataFolderIsOwnerOnly() throws Exception {
        assertEquals(0, run("config").code());
        var perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve(".data")));
        assertEquals("rwx------", perms);
        for (var sub : new String[] {"models", "sessions", "logs", "tmp"}) {
            assertTrue(Files.isDirectory(home.resolve(".data").resolve(sub)), sub);
        }
        var log = home.resolve(".data/logs/ragdesk.log");
        assertTrue(Files.exists(log), "the log lives in .data/logs");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
    }

    @Test
    void configInitWritesTheCommittedDefaultOnce() throws Exception {
        var first = run("config", "--init");
        assertEquals(0, first.code(), first.err());
        assertEquals(Files.readString(Path.of("config.toml")), Files.readString(home.resolve("config.toml")));
        Files.writeString(home.resolve("config.toml"), "[llama]\nctx_size = 1024\n");
        var second = run("config", "--init");
        assertEquals(ExitCodes.RUNTIME_ERROR, second.code());
        assertTrue(second.err().contains("already exists"), second.err());
        assertEquals("[llama]\nctx_size = 1024\n", Files.readString(home.resolve("config.toml")), "left untouched");
    }

    @Test
    void configPrintsEffectiveValues() throws Exception {
        Files.writeString(home.resolve("config.toml"), "[llama]\nctx_size = 1024\n");
        var r = run("config");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("[llama]\ngpu_layers = \"auto\"\nctx_size = 1024\n"), r.out());
        assertTrue(r.out().contains("[vram]\nbudget_mb = 4096"), r.out());
    }

    @Test
    void malformedConfigIsOneLineWithKeyAndExit2() throws Exception {
        Files.writeString(home.resolve("config.toml"), "[llama]\nctx_size = -1\n");
        var r = run("config");
        assertEquals(ExitCodes.USAGE, r.code());
        assertEquals(home.resolve("config.toml") + ":2: llama.ctx_size: must be between 128 and 1048576, not -1",
                r.err().strip().replaceFirst("^ragdesk: ", ""));
        assertFalse(r.err().contains("Exception"), "no stack trace on the terminal");
        var log = Files.readString(home.resolve(".data/logs/ragdesk.log"));
        assertTrue(log.contains("ConfigException"), "the stack trace goes to the log");
    }

    @Test
    void unknownKeyWarnsButRuns() throws Exception {
        Files.writeString(home.resolve("config.toml"), "[llama]\nctx_sizes = 1024\n");
        var r = run("config");
        assertEquals(0, r.code());
        assertTrue(r.err().contains("warning: " + home.resolve("config.toml") + ":2: unknown key llama.ctx_sizes"), r.err());
    }

    @Test
    void theQuickAnswersSayWhatPicocliSays() {
        var quick = run("--version");
        var viaPicocli = new StringWriter();
        new CommandLine(new RagdeskCommand(Map.of())).printVersionHelp(new PrintWriter(viaPicocli, true));
        assertEquals(viaPicocli.toString(), quick.out());
        // "--home=DIR" is not a shape the quick path takes: picocli answers it
        assertEquals(run("--home=" + home, "config", "--path").out(), run("config", "--path").out());
        assertEquals(home.resolve("config.toml") + "\n", run("config", "--path", "--home", home.toString()).out());
        assertEquals(0, run("config", "--path").code());
    }

    @Test
    void onlyTheNamedSubcommandIsBuilt() {
        assertEquals(List.of("search"), List.copyOf(Main.subcommandsFor(CommandWords.of(new String[] {"--home", "search", "search", "x"}))));
        assertEquals(List.of(), List.copyOf(Main.subcommandsFor(CommandWords.of(new String[] {"-v"}))), "the console needs none");
        assertTrue(Main.subcommandsFor(CommandWords.of(new String[] {"--help"})).contains("transcribe"), "help lists them all");
        assertTrue(Main.subcommandsFor(CommandWords.of(new String[] {"serch"})).contains("search"), "picocli names the choices for a typo");
        var typo = run("serch", "x");
        assertEquals(ExitCodes.USAGE, typo.code());
        assertTrue(typo.err().contains("serch"), typo.err());
    }

    @Test
    void verboseMirrorsLogsToStderr() {
        assertFalse(processStderrOf("config").contains("starting in"));
        assertTrue(processStderrOf("--verbose", "config").contains("starting in"));
    }

    /** Logback writes to the process's stderr, not picocli's writer, so capture System.err itself. */
    private String processStderrOf(String... args) {
        var original = System.err;
        var captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        try {
            run(args);
        } finally {
            System.setErr(original);
        }
        return captured.toString();
    }
}
