package dev.ragdesk.session;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.engine.ChatMessage;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A conversation saved as JSON Lines under {@code .data/sessions/}, one file each. Every turn
 * is appended as one line with a single write and fsynced, so kill -9 loses at most the turn
 * in flight; a torn last line from a crash is skipped when the file is read back.
 */
public final class Conversation {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

    private final Path file;
    private final List<Turn> turns = new ArrayList<>();

    private Conversation(Path file) {
        this.file = file;
    }

    public static Conversation start(Path sessionsDir) {
        return new Conversation(sessionsDir.resolve(LocalDateTime.now().format(NAME) + ".jsonl"));
    }

    public static Conversation open(Path file) throws IOException {
        var conversation = new Conversation(file);
        for (var line : Files.readAllLines(file)) {
            if (line.isBlank()) continue;
            try {
                conversation.turns.add(JSON.readValue(line, Turn.class));
            } catch (IOException torn) {
                LoggerFactory.getLogger(Conversation.class).warn("{}: skipping an unreadable line (a crash mid-write?)", file);
            }
        }
        return conversation;
    }

    /** The most recent conversation, if any. */
    public static Optional<Conversation> latest(Path sessionsDir) throws IOException {
        var files = list(sessionsDir);
        return files.isEmpty() ? Optional.empty() : Optional.of(open(files.get(files.size() - 1)));
    }

    /** Saved conversations, oldest first. */
    public static List<Path> list(Path sessionsDir) throws IOException {
        if (!Files.isDirectory(sessionsDir)) return List.of();
        try (var stream = Files.list(sessionsDir)) {
            return stream.filter(p -> p.getFileName().toString().endsWith(".jsonl")).sorted(Comparator.naturalOrder()).toList();
        }
    }

    public Path file() { return file; }

    public List<Turn> turns() { return Collections.unmodifiableList(turns); }

    public synchronized void append(Turn turn) throws IOException {
        var line = JSON.writeValueAsString(turn) + "\n";
        Files.createDirectories(file.getParent());
        try (var channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            var bytes = ByteBuffer.wrap(line.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) channel.write(bytes);
            channel.force(false);
        }
        turns.add(turn);
    }

    /** The chat-mode history for prompting: user and assistant turns in order. */
    public synchronized List<ChatMessage> chatHistory() {
        var history = new ArrayList<ChatMessage>();
        for (var t : turns) {
            if (t.role().equals("user") || t.role().equals("assistant")) history.add(new ChatMessage(t.role(), t.text()));
        }
        return history;
    }
}
