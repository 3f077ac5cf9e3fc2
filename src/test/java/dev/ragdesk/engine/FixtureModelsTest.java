package dev.ragdesk.engine;

import dev.ragdesk.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The host on the real trained stories260K model from ../shared/fixtures (skipped without it). */
class FixtureModelsTest {

    @TempDir Path dir;
    private HostHarness h;

    @AfterEach
    void close() {
        if (h != null) h.close();
    }

    @Test
    void stories260KContinuesTheLittleDogDeterministically() throws Exception {
        var file = Fixtures.require("stories260K.gguf");
        h = new HostHarness(dir, false);
        h.host.activate(HostHarness.request("chat", file));
        var result = h.host.generate(HostHarness.greedy("The little dog", 16), s -> {}).await();
        assertEquals(" was a little girl named Lily. She loved to play with her", result.text());
    }

    @Test
    void chatModeUsesTheTemplateEmbeddedInTheModel() throws Exception {
        h = new HostHarness(dir, false);
        var messages = List.of(ChatMessage.user("Tell me a story"));

        h.host.activate(HostHarness.request("chat", Fixtures.require("stories260K-chat-template.gguf")));
        var embedded = h.host.applyTemplate("You tell stories.", messages);
        assertTrue(embedded.contains("[INST] <<SYS>>\nYou tell stories.\n<</SYS>>\n\nTell me a story [/INST]"), embedded);
        assertFalse(embedded.contains("<|im_start|>"));

        h.host.activate(HostHarness.request("rag", Fixtures.require("stories260K.gguf")));
        var fallback = h.host.applyTemplate("You tell stories.", messages);
        assertTrue(fallback.contains("<|im_start|>system\nYou tell stories.<|im_end|>"), "no template: ChatML\n" + fallback);
    }
}
