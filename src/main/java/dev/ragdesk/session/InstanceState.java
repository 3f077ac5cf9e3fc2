package dev.ragdesk.session;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ragdesk.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a running console or REPL holds, published to {@code .data/state.json} so that
 * {@code ragdesk status} in another shell can report it. Written atomically on every change;
 * a record whose process is gone is ignored.
 */
public record InstanceState(long pid, String ui, String mode, String modelRole, String modelName, String modelPath,
                            long workerPid, int gpuLayers, String updatedAt) {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static Path file(Path dataDir) {
        return dataDir.resolve("state.json");
    }

    public void write(Path dataDir) throws IOException {
        AtomicFiles.write(file(dataDir), JSON.writeValueAsBytes(this));
    }

    /** The live instance's state, if one is running. */
    public static Optional<InstanceState> readLive(Path dataDir) {
        var file = file(dataDir);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            var state = JSON.readValue(file.toFile(), InstanceState.class);
            if (state == null || state.pid() <= 0) return Optional.empty(); // "null", or a record without a process
            return ProcessHandle.of(state.pid()).filter(ProcessHandle::isAlive).map(h -> state);
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a garbled file from another version or a disk error: no live instance to show
        }
    }
}
