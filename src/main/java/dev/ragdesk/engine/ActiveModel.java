package dev.ragdesk.engine;

import java.nio.file.Path;

/**
 * The model a host holds now, with what its last swap cost.
 *
 * @param stopMs  time to end the previous worker (0 when none was running)
 * @param spawnMs time until a worker with natives loaded was ready (near 0 when a pre-started one was used)
 * @param loadMs  time the worker took to load the model
 */
public record ActiveModel(ModelRequest request, int gpuLayers, long fileBytes, long pid, long stopMs, long spawnMs, long loadMs,
                          boolean prestarted) {
    public String role() { return request.role(); }
    public String displayName() { return request.displayName(); }
    /** The model file; null for a remote model. */
    public Path path() { return request.path(); }

    /** The file, or the endpoint a remote model is served from. */
    public String location() { return request.isRemote() ? request.remote().endpoint() : request.path().toString(); }
}
