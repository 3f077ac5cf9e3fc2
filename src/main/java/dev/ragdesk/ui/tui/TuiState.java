package dev.ragdesk.ui.tui;

import dev.ragdesk.gpu.GpuSample;
import dev.ragdesk.models.DownloadProgress;
import dev.ragdesk.rag.IndexProgress;
import dev.ragdesk.session.Mode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Everything the console shows. Only the UI thread reads or writes it. */
final class TuiState {
    enum Phase { NONE, LOADING, READY, GENERATING, CRASHED, FAILED, IDLE }

    /** One message in the chat pane; answers grow token by token while {@code streaming}. */
    static final class Message {
        final String role; // "user", "assistant", "system"
        final StringBuilder text = new StringBuilder();
        final List<String> citations = new ArrayList<>();
        boolean streaming;
        private List<String> wrapped;
        private int wrappedWidth = -1;
        private int wrappedLength = -1;

        Message(String role, String text) {
            this.role = role;
            this.text.append(text);
        }

        /** Wrapped lines, recomputed only when the text or the width changed. */
        List<String> lines(int width) {
            if (wrapped == null || wrappedWidth != width || wrappedLength != text.length() + citations.size()) {
                var all = new ArrayList<>(Wrap.lines(text.toString(), width));
                for (var c : citations) all.addAll(Wrap.lines("  " + c, width));
                wrapped = all;
                wrappedWidth = width;
                wrappedLength = text.length() + citations.size();
            }
            return wrapped;
        }
    }

    Mode mode = Mode.CHAT;
    Phase phase = Phase.NONE;
    String modelName = "";
    String engine = ""; // "jvm" or "llama-server": what runs the models
    long phaseSince = System.currentTimeMillis();
    double tokensPerSecond;
    GpuSample gpu;
    long modelRam;  // the model process's RSS, 0 when none is loaded
    long modelGpu;  // its share of GPU memory, 0 when none or unknown
    String indexLine = "index: …";
    final List<Message> messages = new ArrayList<>();
    final InputLine input;
    final Map<String, DownloadProgress> downloads = new LinkedHashMap<>();
    IndexProgress indexing;
    String notice = "";
    boolean help;
    boolean confirmQuit;
    int scroll; // lines up from the bottom
    volatile boolean quit;
    long answering; // the ticket whose answer streams into the last assistant message, 0 when none
    List<String> completions = List.of();

    TuiState(Path cwd) {
        input = new InputLine(cwd);
    }

    Message lastAssistant() {
        for (int i = messages.size() - 1; i >= 0; i--) if (messages.get(i).role.equals("assistant")) return messages.get(i);
        return null;
    }
}
