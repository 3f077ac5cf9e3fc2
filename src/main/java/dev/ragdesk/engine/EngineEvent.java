package dev.ragdesk.engine;

/** What a {@link ModelHost} reports to whoever renders it. Delivered on engine threads. */
public sealed interface EngineEvent {
    record Loading(String role, String displayName) implements EngineEvent {}

    record Loaded(ActiveModel model) implements EngineEvent {}

    /** {@code idle}: ended after going unused for the configured time, to free its memory for others. */
    record Unloaded(String role, boolean idle) implements EngineEvent {}

    record Failed(String role, String reason) implements EngineEvent {}

    /** The worker process ended without being asked to; {@code how} reads like "killed by SIGKILL". */
    record WorkerCrashed(String role, String how) implements EngineEvent {
        /** The one line every UI shows for a crash, whatever the engine: the crash event and the answer it ended say the same. */
        public String line() {
            return "the " + role + " model's process ended unexpectedly (" + how + "); ask again to reload it";
        }
    }

    record Token(String generationId, String text) implements EngineEvent {}

    record GenerationDone(String generationId, GenerationResult result) implements EngineEvent {}
}
