package dev.ragdesk.session;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.engine.ChatMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A conversation saved as JSON Lines under {@code .data/sessions/}, one file each. Every turn
 * is appended as one line with a single write and fsynced, so kill -9 loses at most the turn
 * in flight; a torn last line from a crash is skipped when the file is read back.
 */
public final class Conversation {
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    private static final Logger LOG = LoggerFactory.getLogger(Conversation.class);
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

    private final Path file;
    private final List<Turn> turns = new ArrayList<>();

    private Conversation(Path file) {
        this.file = file;
    }

    public static Conversation start(Path sessionsDir) {
        return new Conversation(sessionsDir.resolve(LocalDateTime.now().format(NAME) + ".jsonl"));
    }

    /** A conversation kept in memory only, for one-shot questions. */
    public static Conversation unsaved() {
        return new Conversation(null);
    }

    /**
     * Reads a saved conversation. A torn last line (a crash mid-write) is cut off the file, so
     * the next turn starts on a line of its own; complete lines that are not turns are skipped.
     */
    public static Conversation open(Path file) throws IOException {
        var conversation = new Conversation(file);
        var bytes = Files.readAllBytes(file);
        int complete = bytes.length;
        while (complete > 0 && bytes[complete - 1] != '\n') complete--;
        if (complete < bytes.length) {
            LOG.warn("{}: cutting a torn last line of {} bytes (a crash mid-write)", file, bytes.length - complete);
            try (var channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.truncate(complete);
                channel.force(true);
            }
        }
        var text = new String(bytes, 0, complete, StandardCharsets.UTF_8);
        for (var line : text.split("\n")) {
            if (line.isBlank()) continue;
            try {
                var turn = JSON.readValue(line, Turn.class);
                if (turn != null && turn.isComplete()) conversation.turns.add(turn);
                else LOG.warn("{}: skipping a line that is not a turn", file);
            } catch (IOException unreadable) {
                LOG.warn("{}: skipping an unreadable line", file);
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

    /** The file it is saved in; null for an unsaved one. */
    public Path file() { return file; }

    public synchronized List<Turn> turns() { return List.copyOf(turns); }

    public synchronized void append(Turn turn) throws IOException {
        if (file == null) {
            turns.add(turn);
            return;
        }
        var line = JSON.writeValueAsString(turn) + "\n";
        Files.createDirectories(file.getParent());
        try (var channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            var bytes = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
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
