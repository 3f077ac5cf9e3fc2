package dev.ragdesk.session;

import dev.ragdesk.engine.EngineEvent;
import dev.ragdesk.engine.GenerationResult;
import dev.ragdesk.engine.Passage;
import dev.ragdesk.gpu.GpuSample;
import dev.ragdesk.models.DownloadProgress;
import dev.ragdesk.rag.IndexProgress;
import dev.ragdesk.rag.IndexSummary;

import java.util.List;

/** What a {@link Session} tells its UI. Delivered on background threads; UIs hand them to their own thread. */
public sealed interface SessionEvent {
    record Engine(EngineEvent event) implements SessionEvent {}

    record ModeChanged(Mode mode) implements SessionEvent {}

    record AnswerStarted(Mode mode, String question, List<Passage> citations) implements SessionEvent {}

    record AnswerToken(String text) implements SessionEvent {}

    record AnswerFinished(GenerationResult result, List<Passage> citations) implements SessionEvent {}

    /** The question could not be answered; {@code message} says why and what to do. */
    record AnswerFailed(String message) implements SessionEvent {}

    record Notice(String message) implements SessionEvent {}

    record Download(DownloadProgress progress) implements SessionEvent {}

    record DownloadFinished(String target, String message, boolean ok) implements SessionEvent {}

    record Indexing(IndexProgress progress) implements SessionEvent {}

    record IndexFinished(IndexSummary summary, String error) implements SessionEvent {}

    record Gpu(GpuSample sample) implements SessionEvent {}

    record ConversationOpened(Conversation conversation) implements SessionEvent {}

    record IndexState(dev.ragdesk.rag.IndexStatus status) implements SessionEvent {}

    /** Dictated text, to insert at the cursor (never sent by itself). */
    record Transcript(String text) implements SessionEvent {}
}
