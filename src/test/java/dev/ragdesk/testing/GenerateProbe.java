package dev.ragdesk.testing;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;

/**
 * Child-JVM entry point: loads a GGUF with java-llama.cpp directly and generates N tokens
 * greedily. Run in its own JVM because a JVM that loaded a model never exits (upstream #116).
 * Prints {@code tokens=N} and then {@code text=...} on the last lines.
 */
public final class GenerateProbe {
    public static void main(String[] args) {
        var path = args[0];
        int n = Integer.parseInt(args[1]);
        var prompt = args.length > 2 ? args[2] : "Once upon a time";
        int count = 0;
        var text = new StringBuilder();
        var params = new ModelParameters().setModel(path).setCtxSize(256).setThreads(2).setGpuLayers(0).disableLog();
        try (var model = new LlamaModel(params)) {
            var inference = new InferenceParameters(prompt).setNPredict(n).setTemperature(0f).setSeed(1).setIgnoreEos(true);
            for (var output : model.generate(inference)) {
                // The iterator ends with a stop marker that carries no text; count real pieces only.
                if (!output.text.isEmpty()) count++;
                text.append(output.text);
            }
        }
        System.out.println("tokens=" + count);
        System.out.println("text=" + text.toString().replace("\n", "\\n"));
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }
}
