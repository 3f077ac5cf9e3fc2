package dev.ragdesk.engine;

import java.nio.file.Path;

/**
 * A model to make active: which role it serves, the file, and how to load it.
 *
 * @param role        "rag", "chat" or any label for an explicit model
 * @param displayName short name for status bars, e.g. the file name without extension
 */
public record ModelRequest(String role, String displayName, Path path, int ctxSize, int gpuLayers, int threads,
                           boolean flashAttn, Remote remote) {

    /**
     * A model served by an OpenAI-compatible endpoint: no local process, no local memory.
     *
     * @param apiKey empty for none; never printed (see {@link #toString()})
     */
    public record Remote(String endpoint, String model, String apiKey, String apiKeyEnv) {
        @Override
        public String toString() {
            return "Remote[" + endpoint + ", " + model + (apiKey.isEmpty() ? "" : ", key from $" + apiKeyEnv) + "]";
        }
    }

    public ModelRequest(String role, String displayName, Path path, int ctxSize, int gpuLayers, int threads, boolean flashAttn) {
        this(role, displayName, path, ctxSize, gpuLayers, threads, flashAttn, null);
    }

    public boolean isRemote() { return remote != null; }

    /** "Plan the layers when loading": decided after the previous model is gone, from the memory then free. */
    public static final int AUTO_LAYERS = -1;

    public ModelRequest {
        path = path == null ? null : path.toAbsolutePath().normalize();
    }

    public ModelRequest withGpuLayers(int layers) {
        return new ModelRequest(role, displayName, path, ctxSize, layers, threads, flashAttn, remote);
    }

    public static String displayNameOf(Path path) {
        return path.getFileName().toString().replaceFirst("(?i)\\.gguf$", "");
    }

    Protocol.Load toLoad() {
        return new Protocol.Load(path == null ? "" : path.toString(), ctxSize, gpuLayers, threads, flashAttn);
    }
}
