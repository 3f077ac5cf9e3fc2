package dev.ragdesk.cli;

import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.io.TerminalText;
import dev.ragdesk.testing.OtherUser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What another user of the machine could do to someone running ragdesk: plant settings, or escapes for their terminal. */
class NeighbourTest {
    @TempDir Path home;

    /** A document whose text would retitle the window, clear the screen and recolour it, with the one-byte CSI too. */
    private static final String HOSTILE = "The lamp \u001b]0;owned\u0007is lit\u001b[2J at dusk \u009b31mby the keeper\r\u0008.";

    @Test
    void noEscapeReachesTheTerminalFromSearchOutput() throws Exception {
        var docs = Files.createDirectories(home.resolve("docs"));
        Files.writeString(docs.resolve("lamp.txt"), "# Lighthouse\n\n" + HOSTILE + "\n");
        assertEquals(0, CliRun.in(home, Map.of(), "index", docs.toString()).code());
        for (var args : new String[][] {{"search", "lamp"}, {"search", "--json", "lamp"}}) {
            var r = CliRun.in(home, Map.of(), args);
            assertEquals(0, r.code(), r.err());
            var printed = r.out() + r.err();
            assertTrue(printed.contains("keeper"), "the words still come through: " + printed);
            printed.chars().forEach(c -> assertFalse(TerminalText.unsafe(c) && c != '\r',
                    String.format("control character U+%04X in the output of %s", c, String.join(" ", args))));
            assertFalse(printed.contains("\r"), "no carriage return, which could overwrite a line");
        }
    }

    @Test
    void theWriterDropsControlsAndKeepsEveryScript() throws Exception {
        var out = new StringWriter();
        try (var writer = TerminalText.writer(out)) {
            writer.write("नमस्ते\tதமிழ் 🙂\n" + HOSTILE);
        }
        assertEquals("नमस्ते\tதமிழ் 🙂\nThe lamp ]0;ownedis lit[2J at dusk 31mby the keeper.", out.toString());
    }

    /** A config.toml in a shared folder can name programs to run: another user's is refused, in one line. */
    @Test
    void aWorkspaceOwnedByAnotherUserIsRefused() throws Exception {
        assumeTrue(OtherUser.available(), "needs root, to give a file to another user");
        var config = Files.writeString(home.resolve("config.toml"), "[engine]\nllama_server = \"/tmp/not-yours\"\n");
        assertEquals(0, new ProcessBuilder("chown", "nobody", config.toString()).start().waitFor());
        var r = CliRun.in(home, Map.of(), "status");
        assertEquals(ExitCodes.RUNTIME_ERROR, r.code());
        assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
        assertTrue(r.err().contains(config + " belongs to nobody, not to you"), r.err());
        assertFalse(Files.exists(home.resolve(".data")), "nothing was written into their workspace");

        assertEquals(0, new ProcessBuilder("chown", "root", config.toString()).start().waitFor());
        Files.createDirectories(home.resolve(".data"));
        assertEquals(0, new ProcessBuilder("chown", "nobody", home.resolve(".data").toString()).start().waitFor());
        var data = CliRun.in(home, Map.of(), "search", "lamp");
        assertNotEquals(0, data.code());
        assertTrue(data.err().contains(home.resolve(".data") + " belongs to nobody"), data.err());
    }
}
