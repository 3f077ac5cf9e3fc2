package dev.ragdesk.engine.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** The shell that becomes the next server hands every argument and the key over unchanged. */
@Timeout(60)
class ServerSlotTest {

    @Test
    void argumentsAndTheKeyArriveExactlyAsGiven() throws Exception {
        var args = List.of("plain", "with  two spaces", " leading and trailing ", "नमस्ते दुनिया", "'single' \"double\" $HOME `date` \\n", "", "-m");
        var command = new java.util.ArrayList<>(List.of("/bin/sh", "-c", "printf '<%s>\\n' \"$LLAMA_API_KEY\" \"$@\"", "sh"));
        command.addAll(args);
        var slot = ServerSlot.start();
        var process = slot.exec("k3y-4b", command);
        var printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(10, TimeUnit.SECONDS));
        var expected = new StringBuilder("<k3y-4b>\n");
        args.forEach(a -> expected.append('<').append(a).append(">\n"));
        assertEquals(expected.toString(), printed);
        assertEquals(slot.pid(), process.pid(), "the slot became the program: the same process");
    }

    @Test
    void aLineBreakInAnArgumentIsRefusedAndTheSlotEnds() throws Exception {
        var slot = ServerSlot.start();
        var e = assertThrows(IOException.class, () -> slot.exec("key", List.of("/bin/echo", "/models/odd\nname.gguf")));
        assertTrue(e.getMessage().contains("line break"), e.getMessage());
        assertTrue(e.getMessage().endsWith("/models/odd\\nname.gguf") && !e.getMessage().contains("\n"), "one line: " + e.getMessage());
        ProcessHandle.of(slot.pid()).ifPresent(h -> h.onExit().join());
        assertFalse(slot.isAlive(), "a slot that got no command line is not left waiting");
    }
}
