package dev.ragdesk.voice;

import dev.ragdesk.RagdeskException;

/** Dictation could not record or transcribe; the message says what to configure or do. */
public final class VoiceException extends RagdeskException {
    public VoiceException(String message) { super(message); }
    public VoiceException(String message, Throwable cause) { super(message, cause); }
}
