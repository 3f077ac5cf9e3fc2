package dev.ragdesk.voice;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.process.JvmCommand;
import dev.ragdesk.process.Threads;
import dev.ragdesk.voice.worker.WhisperMain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Speech to text with whisper-jni, in a child JVM per transcription so that a native crash
 * costs one transcript, not the app. Whisper runs on the CPU, beside the one LLM worker.
 */
public final class Transcriber {
    private static final Logger log = LoggerFactory.getLogger(Transcriber.class);
    static final double MIN_SECONDS = 1.0;

    private final Path model;
    private final String language;
    private final Path tmp;
    private final JvmCommand jvm;
    private final Duration timeout;

    /** Longer than whisper needs for a few minutes of speech on two cores; a stuck child is stopped after it. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    public Transcriber(Path model, String language, Path tmp, JvmCommand jvm) {
        this(model, language, tmp, jvm, DEFAULT_TIMEOUT);
    }

    public Transcriber(Path model, String language, Path tmp, JvmCommand jvm, Duration timeout) {
        this.model = model;
        this.language = language;
        this.tmp = tmp;
        this.jvm = jvm;
        this.timeout = timeout;
    }

    /** The words in {@code clip}; empty when whisper heard none. */
    public String transcribe(AudioClip clip) throws VoiceException {
        if (clip.seconds() < MIN_SECONDS) {
            throw new VoiceException(String.format(Locale.ROOT,
                    "too short: %.1f s of audio; whisper needs at least %.0f s", clip.seconds(), MIN_SECONDS));
        }
        if (!Files.isRegularFile(model)) {
            throw new VoiceException("no Whisper model at " + model + "; run `ragdesk download whisper` or set [models.whisper].path");
        }
        Path pcm = null;
        try {
            Files.createDirectories(tmp);
            pcm = Files.createTempFile(tmp, "dictation-", ".f32");
            var buffer = ByteBuffer.allocate(clip.samples().length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buffer.asFloatBuffer().put(clip.samples());
            Files.write(pcm, buffer.array());
            int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
            var cmd = jvm.build(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), WhisperMain.class.getName(),
                    List.of(model.toString(), pcm.toString(), language, String.valueOf(threads)));
            var process = new ProcessBuilder(cmd).start();
            var stderr = Threads.start(() -> {
                try (var err = process.getErrorStream()) {
                    new String(err.readAllBytes()).lines().forEach(l -> log.info("[whisper {}] {}", process.pid(), l));
                } catch (IOException ignored) {
                    // the process ended
                }
            }, "whisper-log");
            // stdout is read beside the wait, so the timeout holds even when the child never closes it
            var stdout = CompletableFuture.supplyAsync(() -> {
                try (var in = process.getInputStream()) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    return "";
                }
            });
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new VoiceException("the transcriber did not finish within " + timeout.toSeconds()
                        + " s and was stopped; try a shorter recording, or see .data/logs/ragdesk.log");
            }
            String out;
            try {
                out = stdout.get(5, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                out = "";
            }
            var line = out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElse("");
            if (line.isEmpty()) {
                throw new VoiceException("the transcriber crashed (exit " + process.exitValue() + "); see .data/logs/ragdesk.log");
            }
            var json = JsonMapper.builder().build().readTree(line);
            if (json.has("error")) throw new VoiceException(json.get("error").asText());
            return json.get("text").asText();
        } catch (IOException e) {
            throw new VoiceException("cannot run the transcriber: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VoiceException("transcription interrupted", e);
        } finally {
            if (pcm != null) {
                try {
                    Files.deleteIfExists(pcm);
                } catch (IOException ignored) {
                    // a temp file in .data/tmp
                }
            }
        }
    }
}
