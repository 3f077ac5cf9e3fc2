package dev.ragdesk.bench;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;

/**
 * The bench's bare baseline: a fresh JVM that loads a model directly with java-llama.cpp and
 * generates one token, printing {@code first-token load_ms=N} as soon as it has it. The
 * parent times from process start to that line.
 */
public final class BareBaseline {
    public static void main(String[] args) {
        var path = args[0];
        int ctx = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        var out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        System.setOut(System.err);
        long t0 = System.nanoTime();
        var model = new LlamaModel(new ModelParameters().setModel(path).setCtxSize(ctx).setThreads(threads).setGpuLayers(0));
        long loadMs = (System.nanoTime() - t0) / 1_000_000;
        var tokens = model.generate(new InferenceParameters("Hello").setNPredict(1).setTemperature(0f)).iterator();
        if (tokens.hasNext()) tokens.next();
        out.println("first-token load_ms=" + loadMs);
        Runtime.getRuntime().halt(0);
    }
}
