package dev.ragdesk.rag;

import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small labelled retrieval set: one passage per file, and questions with the passage that
 * answers each. "paraphrase" questions share no word with their passage (checked with the
 * index's own analyzer in the tests), so only search by meaning can find them; "crosslingual"
 * ones are asked in another language than their passage.
 */
final class RetrievalSet {
    private RetrievalSet() {}

    record Question(String text, String answer, String kind) {}

    static final Map<String, String> PASSAGES = Map.ofEntries(
            Map.entry("p01", "The automobile would not start because its battery was flat."),
            Map.entry("p02", "Regular physical exercise lowers the risk of heart disease."),
            Map.entry("p03", "The recipe calls for two cups of flour, sugar and a pinch of salt."),
            Map.entry("p04", "Photosynthesis lets plants turn sunlight, water and carbon dioxide into glucose."),
            Map.entry("p05", "The lighthouse keeper climbed one hundred steps every evening to light the lamp."),
            Map.entry("p06", "Our quarterly revenue grew by twelve percent thanks to strong exports."),
            Map.entry("p07", "Mount Everest is the highest mountain on Earth, at 8,849 metres."),
            Map.entry("p08", "Children should brush their teeth twice daily to prevent cavities."),
            Map.entry("p09", "The train to Mumbai departs from platform four at seven o'clock."),
            Map.entry("p10", "Monsoon rains flooded the rice fields near the river delta."),
            Map.entry("p11", "Password resets are handled by the IT helpdesk within one business day."),
            Map.entry("p12", "The cat slept all afternoon on the warm windowsill."),
            Map.entry("p13", "Vaccines train the immune system to recognise viruses."),
            Map.entry("p14", "The library lends books for three weeks; late returns incur a small fine."),
            Map.entry("p15", "Solar panels on the roof cut our electricity bill in half."),
            Map.entry("p16", "The Ganges is considered sacred and flows through northern India."),
            Map.entry("p17", "He fixed the leaking kitchen tap by replacing a worn washer."),
            Map.entry("p18", "The court ruled that the contract was void because one party was a minor."),
            Map.entry("p19", "Learning a second language improves memory and attention."),
            Map.entry("p20", "The spacecraft entered orbit around Mars after a seven-month journey."),
            Map.entry("p21", "Drink plenty of water during hot weather to avoid dehydration."),
            Map.entry("p22", "The museum displays ancient coins minted by the Mauryan empire."),
            Map.entry("p23", "Tea is grown on the hillsides of Darjeeling and Assam."),
            Map.entry("p24", "The football match was postponed because of heavy snow."),
            // near misses: same topic or same words, not the answer
            Map.entry("p25", "The truck's engine overheated on the long climb."),
            Map.entry("p26", "The hospital opened a new cardiology ward."),
            Map.entry("p27", "Mars has two small moons, Phobos and Deimos."),
            Map.entry("p28", "The plumber's van was parked outside all morning."),
            Map.entry("p29", "Snowfall closed the mountain pass for a week."),
            Map.entry("p30", "Electric cars need charging stations along highways."),
            Map.entry("p31", "The dentist's waiting room was full of children."),
            Map.entry("p32", "Our team forgot to renew the office lease."),
            Map.entry("h01", "दिल्ली मेट्रो हर दिन लाखों यात्रियों को उनके गंतव्य तक पहुँचाती है।"),
            Map.entry("h02", "बरसात के मौसम में मच्छरों से डेंगू और मलेरिया फैलते हैं।"));

    static final List<Question> QUESTIONS = List.of(
            new Question("battery flat", "p01", "lexical"),
            new Question("quarterly revenue exports", "p06", "lexical"),
            new Question("lighthouse keeper lamp", "p05", "lexical"),
            new Question("train platform Mumbai", "p09", "lexical"),
            new Question("library late returns fine", "p14", "lexical"),
            new Question("Ganges sacred", "p16", "lexical"),
            new Question("Mauryan coins museum", "p22", "lexical"),
            new Question("tea Darjeeling", "p23", "lexical"),
            new Question("rice fields monsoon", "p10", "lexical"),
            new Question("flour sugar recipe", "p03", "lexical"),
            new Question("cat windowsill", "p12", "lexical"),
            new Question("second language memory", "p19", "lexical"),
            new Question("car won't turn over, dead accumulator", "p01", "paraphrase"),
            new Question("working out keeps your cardiovascular system healthy", "p02", "paraphrase"),
            new Question("how do leaves make food from light?", "p04", "paraphrase"),
            new Question("tallest peak in world by height", "p07", "paraphrase"),
            new Question("kids dental hygiene routine", "p08", "paraphrase"),
            new Question("forgot my login credentials, who can help?", "p11", "paraphrase"),
            new Question("jabs teach bodily defences about germs", "p13", "paraphrase"),
            new Question("photovoltaic cells reduce power costs", "p15", "paraphrase"),
            new Question("plumber repair dripping faucet", "p17", "paraphrase"),
            new Question("agreement invalid since signer underage", "p18", "paraphrase"),
            new Question("probe reached red planet", "p20", "paraphrase"),
            new Question("stay hydrated when it's scorching", "p21", "paraphrase"),
            new Question("soccer game delayed by blizzard", "p24", "paraphrase"),
            new Question("बैटरी खत्म होने से गाड़ी चालू नहीं हुई", "p01", "crosslingual"),
            new Question("मंगल ग्रह की कक्षा में अंतरिक्ष यान", "p20", "crosslingual"),
            new Question("पुस्तकालय में देर से किताब लौटाने पर जुर्माना", "p14", "crosslingual"),
            new Question("चाय कहाँ उगाई जाती है", "p23", "crosslingual"),
            new Question("How many passengers does the Delhi subway carry?", "h01", "crosslingual"),
            new Question("Which diseases do mosquitoes spread in the rainy season?", "h02", "crosslingual"));

    /** Writes each passage to {@code <id>.txt}; returns the folder. */
    static Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (var e : PASSAGES.entrySet()) Files.writeString(dir.resolve(e.getKey() + ".txt"), e.getValue() + "\n");
        return dir;
    }

    static String idOf(SearchHit hit) {
        var name = Path.of(hit.path()).getFileName().toString();
        return name.substring(0, name.length() - ".txt".length());
    }

    /**
     * The independent check that a paraphrase shares no word with its passage: the terms the
     * index's own analyzers make, base field and English stems (BM25 matches on either).
     */
    static Set<String> terms(String text) throws IOException {
        var out = new HashSet<String>();
        for (var analyzer : List.of(Languages.base(), Languages.analyzer(Languages.Lang.EN))) {
            try (var stream = analyzer.tokenStream("text", text)) {
                var term = stream.addAttribute(CharTermAttribute.class);
                stream.reset();
                while (stream.incrementToken()) out.add(analyzer.getClass().getSimpleName() + ":" + term);
                stream.end();
            }
        }
        return out;
    }
}
