package dev.ragdesk.voice;

import dev.ragdesk.io.NativeCache;
import dev.ragdesk.process.JvmCommand;
import dev.ragdesk.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;

/** Dictation with the real whisper-jni, in its worker process. */
class VoiceTest {

    @TempDir Path dir;

    private Transcriber transcriber(Path model) {
        return new Transcriber(model, "auto", dir.resolve("tmp"), JvmCommand.current());
    }

    @Test
    void jfkWavIsReadAs11SecondsOf16kHzMono() throws Exception {
        var clip = Wav.read(Fixtures.require("jfk.wav"));
        assertEquals(176_000, clip.samples().length);
        assertEquals(11.0, clip.seconds(), 0.001);
        assertTrue(AudioClip.level(clip.samples(), 0, clip.samples().length) > 0.01, "there is sound in it");
    }

    /**
     * The whole path (WAV, resampling, the worker JVM, whisper.cpp's load and run, the JSON line
     * back) on the fixture whisper model, which has the real architecture but no trained weights:
     * so the transcript is empty, and that is all this test can claim. No whisper model with
     * weights can be fetched here (Hugging Face is out of reach, and no registry ships one), so
     * the transcript of jfk.wav is unchecked; text through the rest of the path is tested with
     * {@link dev.ragdesk.testing.FakeWhisper} at the process boundary.
     */
    @Test
    void theWholePathRunsOnAModelWithoutWeightsAndHearsNothing() throws Exception {
        var model = Fixtures.require("for-tests-ggml-tiny.bin");
        var clip = new FileSource(Fixtures.require("jfk.wav")).start().stop();
        var text = transcriber(model).transcribe(clip);
        assertNotNull(text);
        assertEquals("", text, "the fixture model has no weights, so whisper hears nothing: the path ran, the text is empty");
    }

    /** whisper-jni unpacked its libraries into a new temp folder per load and left it there: one per dictation. */
    @Test
    void dictationsLeaveNothingInTheTempFolder() throws Exception {
        var model = Fixtures.require("for-tests-ggml-tiny.bin");
        var clip = new FileSource(Fixtures.require("jfk.wav")).start().stop();
        var before = whisperTempFolders();
        transcriber(model).transcribe(clip);
        transcriber(model).transcribe(clip);
        assertEquals(before, whisperTempFolders(), "no whisper-jni-* folder added to " + System.getProperty("java.io.tmpdir"));
        var natives = NativeCache.dir(System.getenv());
        try (var dirs = Files.list(natives)) {
            var unpacked = dirs.filter(d -> d.getFileName().toString().startsWith("whisper-jni-")).toList();
            assertFalse(unpacked.isEmpty(), "unpacked once into " + natives);
            for (var d : unpacked) assertTrue(Files.isRegularFile(d.resolve("libwhisper-jni.so")), d.toString());
        }
    }

    private static Set<String> whisperTempFolders() throws Exception {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("whisper-jni-")).collect(Collectors.toSet());
        }
    }

    @Test
    void aFileThatIsNotAWhisperModelIsNamed() throws Exception {
        Fixtures.require("jfk.wav");
        var notAModel = Files.writeString(dir.resolve("notes.bin"), "these are not weights");
        var clip = new AudioClip(new float[32_000]);
        var e = assertThrows(VoiceException.class, () -> transcriber(notAModel).transcribe(clip));
        assertEquals("notes.bin is not a Whisper model (whisper.cpp refused it)", e.getMessage());
    }

    @Test
    void aMissingModelSaysHowToGetOne() {
        var e = assertThrows(VoiceException.class, () -> transcriber(dir.resolve("ggml-base.bin")).transcribe(new AudioClip(new float[32_000])));
        assertTrue(e.getMessage().contains("run `ragdesk download whisper`"), e.getMessage());
    }

    /** Item 5: the transcriber read all of whisper's output before its timeout began, so a stuck child hung it. */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aStuckTranscriberIsStoppedAtItsTimeout() throws Exception {
        var script = dir.resolve("stuck.sh");
        Files.writeString(script, "#!/bin/sh\nexec sleep 600\n");
        script.toFile().setExecutable(true);
        var model = Files.writeString(dir.resolve("model.bin"), "stand-in");
        var transcriber = new Transcriber(model, "auto", dir, new JvmCommand(script, ""), Duration.ofSeconds(2));
        var e = assertThrows(VoiceException.class, () -> transcriber.transcribe(new AudioClip(new float[32_000])));
        assertTrue(e.getMessage().startsWith("the transcriber did not finish within 2 s and was stopped"), e.getMessage());
    }

    @Test
    void aHeaderOfZeroHertzIsRefusedInOneLine() throws Exception {
        var wav = dir.resolve("zero.wav");
        var header = ByteBuffer.allocate(44 + 3200).order(ByteOrder.LITTLE_ENDIAN);
        header.put("RIFF".getBytes()).putInt(36 + 3200).put("WAVE".getBytes()).put("fmt ".getBytes()).putInt(16)
                .putShort((short) 1).putShort((short) 1).putInt(0).putInt(0).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(3200);
        Files.write(wav, header.array());
        var e = assertThrows(VoiceException.class, () -> Wav.read(wav));
        assertTrue(e.getMessage().contains("0.0 Hz"), e.getMessage());
    }

    @Test
    void halfASecondIsTooShort() {
        var e = assertThrows(VoiceException.class, () -> transcriber(dir.resolve("m.bin")).transcribe(new AudioClip(new float[8_000])));
        assertEquals("too short: 0.5 s of audio; whisper needs at least 1 s", e.getMessage());
    }

    @Test
    void commandSourceReadsRawPcmFromAProgram() throws Exception {
        var wav = Fixtures.require("jfk.wav");
        var script = dir.resolve("record.sh");
        // a stand-in for arecord or `ssh laptop sox ...`: print the PCM after the WAV's "data" chunk header
        var bytes = Files.readAllBytes(wav);
        int data = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("data") + 8;
        Files.writeString(script, "#!/bin/sh\ntail -c +" + (data + 1) + " '" + wav + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        var recording = new CommandSource(script.toString()).start();
        var expected = Wav.read(wav);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (recording.seconds() < expected.seconds() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000); // the program streams; wait for all of it
        }
        var clip = recording.stop();
        assertEquals(expected.samples().length, clip.samples().length);
        assertArrayEquals(Arrays.copyOf(expected.samples(), 1000), Arrays.copyOf(clip.samples(), 1000));
    }

    @Test
    void microphoneOnAHeadlessMachineExplainsTheCommandSource() {
        try {
            var recording = new MicSource().start();
            recording.discard(); // a machine with a capture line: nothing to assert about the fallback
        } catch (VoiceException e) {
            assertTrue(e.getMessage().startsWith("no microphone on this machine"), e.getMessage());
            assertTrue(e.getMessage().contains("source = \"command\""), e.getMessage());
        }
    }

    @Test
    void resamplingKeepsDurationAndShape() {
        var at48k = new float[48_000];
        for (int i = 0; i < at48k.length; i++) at48k[i] = (float) Math.sin(2 * Math.PI * 440 * i / 48_000.0);
        var clip = AudioClip.resampled(at48k, 48_000);
        assertEquals(16_000, clip.samples().length);
        assertEquals(Math.sin(2 * Math.PI * 440 * 100 / 16_000.0), clip.samples()[100], 0.01);
    }
}
