package dev.ragdesk.models;

import dev.ragdesk.config.Config;
import dev.ragdesk.config.ModelSpec;

import java.util.List;

/** The model roles: where each comes from (config over defaults), what it is for, its licence. */
public final class Catalogue {

    /**
     * One role's model. {@code usedByApp} is false for models listed and downloadable but not yet
     * used. {@code approxBytes} is the default file's size, for showing before anything is
     * downloaded; -1 once config names another file.
     */
    public record Entry(String role, ModelSpec spec, String purpose, String licence, boolean usedByApp, long approxBytes) {}

    private final List<Entry> entries;

    public Catalogue(Config config) {
        var m = config.models();
        entries = List.of(
                new Entry("rag", m.rag(), "answers from your documents (Sarvam-1, 10 Indic languages + English)",
                        "Sarvam AI research licence: research use only; read it before other use", true,
                        approx(m.rag(), Config.Models.DEFAULT_RAG, 1_550_000_000L)),
                new Entry("chat", m.chat(), "free conversation (Llama 3.2 3B Instruct)",
                        "Llama 3.2 Community License (Meta); acceptable-use policy applies", true,
                        approx(m.chat(), Config.Models.DEFAULT_CHAT, 2_020_000_000L)),
                new Entry("whisper", m.whisper(), "dictation (Whisper; multilingual models handle Indic speech)",
                        "MIT (whisper.cpp, OpenAI Whisper)", true,
                        approx(m.whisper(), Config.Models.DEFAULT_WHISPER, 148_000_000L)),
                new Entry("embed", m.embed(), "finds passages by meaning, across languages (multilingual-e5-small, ONNX, CPU)",
                        "MIT (intfloat/multilingual-e5-small)", true,
                        approx(m.embed(), Config.Models.DEFAULT_EMBED, 470_000_000L + 17_100_000L)),
                new Entry("tts", m.tts(), "text to speech (Kokoro-82M)",
                        "Apache-2.0; listed and downloadable, nothing in ragdesk uses it yet", false,
                        approx(m.tts(), Config.Models.DEFAULT_TTS, 327_000_000L)));
    }

    private static long approx(ModelSpec spec, ModelSpec defaults, long bytes) {
        return spec.repo().equals(defaults.repo()) && spec.file().equals(defaults.file()) && spec.tokenizer().equals(defaults.tokenizer())
                ? bytes : -1;
    }

    public List<Entry> entries() { return entries; }

    /** The roles the app uses, which {@code download --all} fetches. */
    public List<String> usedRoles() {
        return entries.stream().filter(Entry::usedByApp).map(Entry::role).toList();
    }

    public Entry entry(String role) {
        return entries.stream().filter(e -> e.role().equals(role)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown role \"" + role + "\"; roles are " + String.join(", ", ModelFiles.ROLES)));
    }
}
