package dev.ragdesk.session;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.engine.PromptModel;
import dev.ragdesk.rag.Passage;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * RAG-mode prompts for a base model (Sarvam-1 has no chat template): numbered passages, the
 * question and an answer cue, as a plain completion. Passages are added best first while
 * they fit the passage token budget, so the numbers [1]..[n] are the citations.
 */
public final class RagPrompt {
    private RagPrompt() {}

    /** Strings that end an answer: the model starting a new question or passage block. */
    public static final List<String> STOP = List.of("\nQuestion:", "\n\nQuestion", "</s>", "\n\n\n");

    /**
     * Search by meaning finds passages in other languages than the question (a Hindi question,
     * English documents), so the prompt says which language the answer takes: the question's.
     */
    static final String INSTRUCTION = """
            Answer the question using only the numbered passages below. Cite the passages you use \
            as [1], [2] and so on. If the passages do not contain the answer, say that they do not. \
            The passages may be in a different language from the question; write the answer in the \
            language of the question.
            """;

    /** The prompt and the passages it numbers, in citation order. */
    public record Built(String text, int tokens, List<Passage> cited) {}

    public static Built build(PromptModel model, String question, List<Passage> passages, int passageTokens)
            throws RagdeskException {
        var cited = new ArrayList<Passage>();
        var blocks = new StringBuilder();
        int used = 0;
        for (var passage : passages) {
            var block = block(cited.size() + 1, passage);
            int cost = model.countTokens(block);
            if (used + cost > passageTokens) {
                if (cited.isEmpty()) { // always keep the best passage, cut to fit
                    block = block(1, shortened(passage, passageTokens, cost));
                    cost = model.countTokens(block);
                } else {
                    break;
                }
            }
            cited.add(passage);
            blocks.append(block);
            used += cost;
        }
        var language = answerLanguage(question);
        var text = INSTRUCTION + "\n" + blocks + "Question: " + question.strip() + "\nAnswer" + (language.isEmpty() ? "" : " (in " + language + ")") + ":";
        return new Built(text, model.countTokens(text), List.copyOf(cited));
    }

    /**
     * The language a base model should answer in, named from the question's script, when that
     * is not Latin: a cue like "Answer (in Tamil):" steers it better than the instruction alone.
     * Devanagari serves Hindi and Marathi alike, so it names the script.
     */
    static String answerLanguage(String question) {
        var counts = new EnumMap<Character.UnicodeScript, Integer>(Character.UnicodeScript.class);
        question.codePoints().filter(Character::isLetter).forEach(c -> counts.merge(Character.UnicodeScript.of(c), 1, Integer::sum));
        var top = counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(null);
        if (top == null) return "";
        return switch (top) {
            case DEVANAGARI -> "the question's language, in Devanagari script";
            case BENGALI -> "Bengali";
            case TAMIL -> "Tamil";
            case TELUGU -> "Telugu";
            case GUJARATI -> "Gujarati";
            case GURMUKHI -> "Punjabi";
            case KANNADA -> "Kannada";
            case MALAYALAM -> "Malayalam";
            case ORIYA -> "Odia";
            default -> "";
        };
    }

    private static String block(int n, Passage p) {
        return p.label(n) + "\n" + p.text().strip() + "\n\n";
    }

    private static Passage shortened(Passage p, int budget, int cost) {
        int keep = (int) Math.max(1, (long) p.text().length() * budget / Math.max(cost, 1) * 9 / 10);
        return new Passage(p.text().substring(0, Math.min(keep, p.text().length())), p.source(), p.location(), p.score(), p.excerpt());
    }
}
