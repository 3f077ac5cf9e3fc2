package dev.ragdesk.engine;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The answers a worker is streaming now, each ended exactly once: by its last event, a user's
 * cancel, an error, or the worker's end. Whoever takes a stream out of here is the one who ends
 * it, so a cancel racing the last token never delivers both. Shared by the workers that stream
 * over HTTP (llama-server, remote endpoints).
 */
public final class OpenStreams {
    private record Stream(Runnable cancel, Consumer<Protocol.Event> sink) {}

    private final Map<String, Stream> streams = new ConcurrentHashMap<>();

    /** {@code cancel} stops the transfer (closing the connection is how these servers are told to stop). */
    public void open(String id, Runnable cancel, Consumer<Protocol.Event> sink) {
        streams.put(id, new Stream(cancel, sink));
    }

    /** Takes the stream out and stops it; false if it had ended already. */
    public boolean cancel(String id) {
        var stream = streams.remove(id);
        if (stream == null) return false;
        stream.cancel().run();
        return true;
    }

    /** Takes the stream out so that {@code last} is its last event; nothing if it had ended already. */
    public void end(String id, Protocol.Event last) {
        var stream = streams.remove(id);
        if (stream != null) stream.sink().accept(last);
    }

    /** Ends the stream with an error, unless it ended already (a cancel, the worker's end, its last event). */
    public void fail(String id, String message) {
        end(id, new Protocol.Error(id, message));
    }

    /** The worker is gone: every open stream ends with {@code message}, and its transfer is stopped. */
    public void failAll(String message) {
        for (var id : List.copyOf(streams.keySet())) {
            var stream = streams.remove(id);
            if (stream != null) {
                stream.sink().accept(new Protocol.Error(id, message));
                stream.cancel().run();
            }
        }
    }

    /** Stops every transfer; their readers end them. */
    public void stopAll() {
        streams.values().forEach(stream -> stream.cancel().run());
    }
}
