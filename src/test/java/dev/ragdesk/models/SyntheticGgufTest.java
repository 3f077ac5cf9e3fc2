package dev.ragdesk.models;

import dev.ragdesk.models.SyntheticGguf;
import dev.ragdesk.testing.ChildJvm;
import dev.ragdesk.testing.GenerateProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class SyntheticGgufTest {

    @TempDir Path dir;

    @Test
    void headerIsGgufV3WithAlignedData() throws Exception {
        var bytes = SyntheticGguf.llama().bytes();
        var buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals("GGUF", new String(bytes, 0, 4, StandardCharsets.US_ASCII));
        assertEquals(3, buf.getInt(4));
        assertEquals(3 + 2 * 9, buf.getLong(8), "3 global tensors + 9 per layer for 2 layers");
        assertEquals(0, bytes.length % 32, "the data section ends on the alignment");
    }

    @Test
    void sameSeedSameFileOtherSeedOtherWeights() {
        assertArrayEquals(SyntheticGguf.llama().seed(7).bytes(), SyntheticGguf.llama().seed(7).bytes());
        assertFalse(Arrays.equals(SyntheticGguf.llama().seed(7).bytes(), SyntheticGguf.llama().seed(8).bytes()));
    }

    @Test
    void javaLlamaCppLoadsItAndGenerates16Tokens() throws Exception {
        var model = SyntheticGguf.llama().writeTo(dir.resolve("tiny.gguf"));
        var result = new ChildJvm(dir).run(Duration.ofSeconds(60), GenerateProbe.class, model.toString(), "16");
        assertEquals(0, result.exitCode(), result.stderr());
        assertEquals("16", result.lastLineStartingWith("tokens="), result.stdout());
        assertFalse(result.lastLineStartingWith("text=").isBlank());
    }

    @Test
    void generationIsDeterministicAtTemperatureZero() throws Exception {
        var model = SyntheticGguf.llama().writeTo(dir.resolve("tiny.gguf"));
        var first = new ChildJvm(dir).run(Duration.ofSeconds(60), GenerateProbe.class, model.toString(), "8");
        var second = new ChildJvm(dir).run(Duration.ofSeconds(60), GenerateProbe.class, model.toString(), "8");
        assertEquals(first.lastLineStartingWith("text="), second.lastLineStartingWith("text="));
    }

    @Test
    void chatTemplateIsStoredInTheHeader() throws Exception {
        var file = SyntheticGguf.llama().chatTemplate("{{ bos_token }}{% for m in messages %}{{ m['content'] }}{% endfor %}")
                .writeTo(dir.resolve("templated.gguf"));
        var text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertTrue(text.contains("tokenizer.chat_template"));
    }
}
