package dev.ragdesk.engine;

import java.nio.file.Path;

/**
 * A model to make active: which role it serves, the file, and how to load it.
 *
 * @param role        "rag", "chat" or any label for an explicit model
 * @param displayName short name for status bars, e.g. the file name without extension
 */
public record ModelRequest(String role, String displayName, Path path, int ctxSize, int gpuLayers, int threads,
                           boolean flashAttn) {

    /** "Plan the layers when loading": decided after the previous model is gone, from the memory then free. */
    public static final int AUTO_LAYERS = -1;

    public ModelRequest {
        path = path.toAbsolutePath().normalize();
    }

    public ModelRequest withGpuLayers(int layers) {
        return new ModelRequest(role, displayName, path, ctxSize, layers, threads, flashAttn);
    }

    public static String displayNameOf(Path path) {
        return path.getFileName().toString().replaceFirst("(?i)\\.gguf$", "");
    }

    Protocol.Load toLoad() {
        return new Protocol.Load(path.toString(), ctxSize, gpuLayers, threads, flashAttn);
    }
}
