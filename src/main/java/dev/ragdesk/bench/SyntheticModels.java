package dev.ragdesk.bench;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.engine.server.EngineInstaller;
import dev.ragdesk.gpu.VramPlanner;
import dev.ragdesk.models.GgufHeader;
import dev.ragdesk.models.SyntheticGguf;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The benchmarks' generated models, written once into {@code .data/tmp/bench/} and reused: of a
 * size ({@code --synthetic-mb}) or with a product model's real shape ({@code --synthetic
 * llama-3.2-3b | sarvam-1}), and what the planner expects each to hold in memory.
 */
final class SyntheticModels {
    private SyntheticModels() {}

    /** Llama 3's tokenizer, as `engine install` keeps it beside the llama-server it builds, unless {@code vocabulary} names one. */
    static Path llamaVocabulary(Optional<Path> vocabulary, Path server) throws RagdeskException {
        if (vocabulary.isPresent()) return vocabulary.get();
        var beside = server == null ? null : server.resolveSibling(EngineInstaller.LLAMA3_VOCABULARY);
        if (beside != null && Files.isRegularFile(beside)) return beside;
        throw new RagdeskException("--synthetic llama-3.2-3b needs Llama 3's tokenizer: `ragdesk engine install` keeps llama.cpp's "
                + "ggml-vocab-llama-bpe.gguf beside llama-server, or pass --vocab FILE");
    }

    static Path preset(Path benchFolder, String preset, Path llamaVocabulary, PrintWriter progress) throws IOException {
        var file = benchFolder.resolve("synthetic-" + preset + ".gguf");
        if (!Files.isRegularFile(file)) {
            if (progress != null) {
                progress.println("writing a synthetic " + preset + " (its real shape, random Q4_K_M-like weights) to " + file + " ...");
                progress.flush();
            }
            SyntheticGguf.preset(preset, llamaVocabulary).writeTo(file);
        }
        return file;
    }

    static Path ofSize(Path benchFolder, int megabytes, String which, PrintWriter progress) throws IOException {
        var file = benchFolder.resolve("synthetic-" + megabytes + "mb" + which + ".gguf");
        if (!Files.isRegularFile(file)) {
            if (progress != null) {
                progress.println("writing a synthetic model of about " + megabytes + " MB: " + file.getFileName() + " ...");
                progress.flush();
            }
            SyntheticGguf.ofSize(megabytes).writeTo(file);
        }
        return file;
    }

    /**
     * What the planner expects {@code model} to hold with {@code gpuLayers} offloaded: on the CPU
     * the whole model in RAM (weights, f16 KV cache, compute buffers), else its VRAM plan.
     */
    static Map<String, Object> planned(Path model, int ctx, int gpuLayers) throws RagdeskException {
        var header = GgufHeader.read(model);
        var plan = new LinkedHashMap<String, Object>();
        if (gpuLayers <= 0) {
            plan.put("planned_ram_mb", VramPlanner.hostBytes(header, ctx) >> 20);
        } else {
            plan.put("planned_vram_mb", VramPlanner.plan(header, ctx, Long.MAX_VALUE, Long.MAX_VALUE, true).estimatedBytes() >> 20);
        }
        return plan;
    }
}
