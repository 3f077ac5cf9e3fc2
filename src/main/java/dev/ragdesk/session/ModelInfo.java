package dev.ragdesk.session;

/**
 * The model a session holds, as UIs see it: no process ids or engine handles.
 *
 * @param loadMs time from asking for the model to its being ready (worker start plus load)
 */
public record ModelInfo(String role, String name, int gpuLayers, long loadMs) {}
