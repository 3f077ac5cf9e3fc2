package dev.ragdesk.bench;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The bench's in-process baseline for {@code bench generate}: java-llama.cpp called directly
 * in a JVM of its own (a JVM that loaded a model never frees it, upstream #102/#116). Runs once
 * per round number read from stdin and answers one line:
 * {@code run ttft_ms=N total_ms=N tokens=N prompt_tokens=N hwm_kb=N}.
 */
public final class BareGenerate {
    public static void main(String[] args) throws Exception {
        var path = args[0];
        int ctx = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        int predict = Integer.parseInt(args[3]);
        int promptSize = Integer.parseInt(args[4]);
        var out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        System.setOut(System.err);
        var model = new LlamaModel(new ModelParameters().setModel(path).setCtxSize(ctx).setThreads(threads).setGpuLayers(0));
        int promptTokens = model.encode(BenchGenerateCommand.prompt(0, promptSize)).length;
        var commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = commands.readLine()) != null) { // one run per line: the round number, which picks the prompt
            int round = Integer.parseInt(line.strip());
            long t0 = System.nanoTime();
            long first = -1;
            int tokens = 0;
            var it = model.generate(new InferenceParameters(BenchGenerateCommand.prompt(round, promptSize)).setNPredict(predict).setTemperature(0f).setSeed(1)).iterator();
            while (it.hasNext()) {
                it.next();
                if (first < 0) first = System.nanoTime();
                tokens++;
            }
            long end = System.nanoTime();
            out.println("run ttft_ms=" + (first - t0) / 1_000_000.0 + " total_ms=" + (end - t0) / 1_000_000.0 + " tokens=" + tokens
                    + " prompt_tokens=" + promptTokens + " hwm_kb=" + BenchGenerateCommand.peakRssKb(ProcessHandle.current().pid()));
        }
        Runtime.getRuntime().halt(0);
    }
}
