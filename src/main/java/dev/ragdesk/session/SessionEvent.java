package dev.ragdesk.session;

import dev.ragdesk.engine.GenerationResult;
import dev.ragdesk.rag.Passage;
import dev.ragdesk.gpu.GpuSample;
import dev.ragdesk.models.DownloadProgress;
import dev.ragdesk.rag.IndexProgress;
import dev.ragdesk.rag.IndexStatus;
import dev.ragdesk.rag.IndexSummary;

import java.util.List;

/**
 * What a {@link Session} tells its UI: the only thing a UI reads besides the session's own
 * snapshots. Delivered on session threads; UIs hand them to their own thread. Every question
 * ends with exactly one of {@link AnswerFinished}, {@link AnswerFailed} or {@link AnswerCancelled}.
 */
public sealed interface SessionEvent {
    record ModeChanged(Mode mode) implements SessionEvent {}

    record ModelLoading(String role, String name) implements SessionEvent {}

    record ModelReady(ModelInfo model) implements SessionEvent {}

    /** A load failed; {@code reason} is llama.cpp's or ours, in one line. */
    record ModelFailed(String role, String reason) implements SessionEvent {}

    /** The model's process ended without being asked to; {@code how} reads like "killed by SIGKILL". */
    /** {@code line}: the one wording of a crash, the same as the answer it ended fails with. */
    record ModelCrashed(String role, String how, String line) implements SessionEvent {}

    /** {@code idle}: its process ended after going unused for [engine].idle_minutes; the next question loads it again. */
    record ModelUnloaded(String role, boolean idle) implements SessionEvent {}

    record AnswerStarted(long ticket, Mode mode, String question, List<Passage> citations) implements SessionEvent {}

    record AnswerToken(long ticket, String text) implements SessionEvent {}

    record AnswerFinished(long ticket, GenerationResult result, List<Passage> citations) implements SessionEvent {
        // what a UI shows of the result, so that no UI reads an engine's record
        public String text() { return result.text(); }

        public boolean cancelled() { return result.cancelled(); }

        public double tokensPerSecond() { return result.tokensPerSecond(); }
    }

    /** The question could not be answered; {@code message} says why and what to do. */
    record AnswerFailed(long ticket, String message) implements SessionEvent {}

    /** Cancelled before its answer began: while queued or while its model loaded. */
    record AnswerCancelled(long ticket) implements SessionEvent {}

    record Notice(String message) implements SessionEvent {}

    record Download(DownloadProgress progress) implements SessionEvent {}

    record DownloadFinished(String target, String message, boolean ok) implements SessionEvent {}

    record Indexing(IndexProgress progress) implements SessionEvent {}

    record IndexFinished(IndexSummary summary, String error) implements SessionEvent {
        /** What the run did ("indexed 3 files …"), or why it failed. */
        public String description() { return summary == null ? error : summary.describe(); }

        public boolean failed() { return summary == null; }
    }

    record IndexState(IndexStatus status) implements SessionEvent {
        public boolean exists() { return status.exists(); }

        public int files() { return status.files(); }

        /** "index", or "solr docs" for a team's collection. */
        public String label() { return status.label(); }
    }

    /**
     * A memory reading for the meter: the GPUs and RAM, and what the loaded model's own process
     * uses of each (0 when no model is loaded or the figure is unknown).
     */
    record Memory(GpuSample sample, long modelRamBytes, long modelGpuBytes) implements SessionEvent {}

    record ConversationOpened(Conversation conversation) implements SessionEvent {}

    /** Dictated text, to insert at the cursor (never sent by itself). */
    record Transcript(String text) implements SessionEvent {}
}
