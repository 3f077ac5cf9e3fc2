package dev.ragdesk.cli;

import dev.ragdesk.RagdeskException;
import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.Json;
import dev.ragdesk.app.VersionInfo;
import dev.ragdesk.config.Config;
import dev.ragdesk.engine.Engines;
import dev.ragdesk.engine.WorkerCensus;
import dev.ragdesk.gpu.GpuMonitor;
import dev.ragdesk.gpu.GpuSample;
import dev.ragdesk.gpu.Natives;
import dev.ragdesk.io.Sizes;
import dev.ragdesk.models.Catalogue;
import dev.ragdesk.models.ModelFiles;
import dev.ragdesk.rag.Documents;
import dev.ragdesk.rag.IndexStatus;
import dev.ragdesk.session.InstanceState;
import org.apache.lucene.util.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Health check: GPU and memory, whether the natives can offload, the running model,",
                "each model's planned gpu_layers and VRAM, the index, paths and versions."})
final class StatusCommand implements Callable<Integer> {

    @ParentCommand RagdeskCommand root;
    @Spec CommandSpec spec;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var ctx = root.context(false);
        var ws = ctx.workspace();
        var config = ctx.config();
        var sample = GpuMonitor.sampleOnce(ctx.env());
        var libDir = Engines.nativeLibDir(ws, config);
        boolean gpuNatives = Natives.gpuCapable(libDir);
        var choice = Engines.choose(ws, config, VersionInfo.properties().getProperty("llama"), ctx.env());
        var planner = Engines.planner(choice, ws, config, () -> sample);

        var report = new LinkedHashMap<String, Object>();
        var engine = new LinkedHashMap<String, Object>();
        engine.put("kind", choice.kind());
        engine.put("why", choice.why());
        report.put("engine", engine);
        var gpu = new LinkedHashMap<String, Object>();
        gpu.put("source", sample.source());
        gpu.put("devices", sample.devices().stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", d.index());
            m.put("name", d.name());
            m.put("total_mb", d.totalBytes() >> 20);
            m.put("used_mb", d.usedBytes() >> 20);
            m.put("free_mb", d.freeBytes() >> 20);
            m.put("utilization_percent", d.utilization());
            return m;
        }).toList());
        gpu.put("ram_total_mb", sample.ramTotalBytes() >> 20);
        gpu.put("ram_available_mb", sample.ramAvailableBytes() >> 20);
        gpu.put("backend", choice.computesOn());
        report.put("gpu", gpu);

        var natives = new LinkedHashMap<String, Object>();
        natives.put("library", Natives.describe(libDir));
        natives.put("gpu_offload", gpuNatives);
        natives.put("warning", !sample.hasGpu() || planner.offloads() ? ""
                : choice.kind().equals("llama-server")
                ? "a GPU is present but this llama-server is a CPU build: run `ragdesk engine install --backend cuda`"
                : "a GPU is present but the natives are CPU-only: run `ragdesk engine install --backend cuda` for the llama-server engine, "
                  + "or build libjllama.so with -DGGML_CUDA=ON and set [llama].native_lib_dir");
        report.put("natives", natives);

        var live = InstanceState.readLive(ws.data());
        report.put("current_model", live.<Object>map(s -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("ui", s.ui());
            m.put("pid", s.pid());
            m.put("mode", s.mode());
            m.put("role", s.modelRole());
            m.put("name", s.modelName());
            m.put("worker_pid", s.workerPid());
            m.put("worker_rss_mb", s.workerPid() > 0 ? WorkerCensus.rssBytes(s.workerPid()) >> 20 : 0);
            m.put("worker_gpu_mb", sample.gpuBytesOf(Set.of(s.workerPid())) >> 20);
            m.put("gpu_layers", s.gpuLayers());
            return m;
        }).orElse("none"));

        var files = new ModelFiles(ws, config);
        var models = new ArrayList<Map<String, Object>>();
        for (var entry : new Catalogue(config).entries()) {
            var m = new LinkedHashMap<String, Object>();
            var spec = files.spec(entry.role());
            if (spec.isRemote()) { // served elsewhere: a local path, if one is written, is not what runs
                m.put("role", entry.role());
                m.put("path", "remote: " + spec.model() + " at " + spec.endpoint());
                m.put("present", true);
                models.add(m);
                continue;
            }
            var path = files.location(entry.role());
            m.put("role", entry.role());
            m.put("path", path.toString());
            m.put("present", Files.isRegularFile(path));
            if (Files.isRegularFile(path) && (entry.role().equals("rag") || entry.role().equals("chat"))) {
                try {
                    var plan = planner.plan(path);
                    m.put("total_layers", plan.totalLayers());
                    m.put("planned_gpu_layers", config.llama().gpuLayers().isAuto() ? plan.gpuLayers() : config.llama().gpuLayers().count());
                    m.put("estimated_vram_mb", plan.estimatedBytes() >> 20);
                    m.put("plan", plan.reason());
                } catch (RagdeskException e) {
                    m.put("plan", e.getMessage());
                }
            }
            models.add(m);
        }
        report.put("models", models);

        try (var embeddings = ctx.openEmbeddings();
             var retriever = Documents.retriever(ws, ctx.config(), embeddings, ctx.env())) {
            report.put("index_backend", retriever.where());
            try {
                var s = retriever.status();
                report.put("index", s.exists() ? s : "not built");
                report.put("retrieval", s.exists() ? s.retrieval() : retriever.describeRetrieval());
            } catch (RagdeskException e) { // a team's cluster that is down is one line of the status, not the end of it
                report.put("index", "cannot read: " + e.getMessage());
                report.put("retrieval", "unknown");
            }
        }
        var paths = new LinkedHashMap<String, Object>();
        paths.put("home", ws.home().toString());
        paths.put("config", ws.configFile() + (ctx.loaded().fromFile() ? "" : " (absent: defaults)"));
        paths.put("index", ws.index().toString());
        paths.put("models", ws.models().toString());
        paths.put("logs", ws.logs().resolve("ragdesk.log").toString());
        report.put("paths", paths);
        var warnings = new ArrayList<>(ctx.loaded().warnings()); // said on stderr already, one line each
        warnings.addAll(ctx.saidWhereUsed());
        report.put("config_warnings", warnings);
        ctx.saidWhereUsed().forEach(line -> spec.commandLine().getErr().println("ragdesk: warning: " + line));
        var props = VersionInfo.properties();
        var versions = new LinkedHashMap<String, Object>();
        versions.put("ragdesk", props.getProperty("version", "unknown"));
        versions.put("java_llama_cpp", props.getProperty("llama", "unknown"));
        versions.put("llama_cpp", "b4916 (bundled with java-llama.cpp 4.2.0)");
        versions.put("lucene", Version.LATEST.toString());
        versions.put("java", System.getProperty("java.version"));
        report.put("versions", versions);

        var out = spec.commandLine().getOut();
        if (json) out.println(Json.pretty(report));
        else printText(out, report, sample);
        out.flush();
        return ExitCodes.OK;
    }

    @SuppressWarnings("unchecked")
    private static void printText(PrintWriter out, Map<String, Object> report, GpuSample sample) {
        if (sample.hasGpu()) {
            for (var d : sample.devices()) {
                out.printf("GPU %d: %s, %s used of %s (%s free), via %s%n", d.index(), d.name(), Sizes.human(d.usedBytes()),
                        Sizes.human(d.totalBytes()), Sizes.human(d.freeBytes()), sample.source());
            }
        } else {
            out.printf("no GPU (no NVML, no nvidia-smi); RAM %s available of %s%n", Sizes.human(sample.ramAvailableBytes()),
                    Sizes.human(sample.ramTotalBytes()));
        }
        out.println("gpu backend: " + ((Map<String, Object>) report.get("gpu")).get("backend"));
        var engine = (Map<String, Object>) report.get("engine");
        out.println("engine: " + engine.get("kind") + " (" + engine.get("why") + ")");
        var natives = (Map<String, Object>) report.get("natives");
        out.println("natives: " + natives.get("library"));
        if (!((String) natives.get("warning")).isEmpty()) out.println("warning: " + natives.get("warning"));
        var current = report.get("current_model");
        if (current instanceof Map<?, ?> m) {
            out.printf("running: %s in %s mode (pid %s), model %s in worker %s, RSS %s MB, GPU %s MB%n", m.get("ui"), m.get("mode"),
                    m.get("pid"), m.get("name"), m.get("worker_pid"), m.get("worker_rss_mb"), m.get("worker_gpu_mb"));
        } else {
            out.println("running: none");
        }
        for (var m : (List<Map<String, Object>>) report.get("models")) {
            out.printf("model %-8s %s%s%n", m.get("role"), Boolean.TRUE.equals(m.get("present")) ? m.get("path") : "missing",
                    m.containsKey("planned_gpu_layers")
                            ? ", gpu_layers " + m.get("planned_gpu_layers") + "/" + m.get("total_layers") + ", about "
                              + m.get("estimated_vram_mb") + " MB VRAM (" + m.get("plan") + ")" : "");
        }
        var index = report.get("index");
        out.println("index: " + report.get("index_backend") + ": " + (index instanceof IndexStatus s
                ? s.files() + " files, " + s.chunks() + " chunks (" + s.vectorChunks() + " with vectors)"
                  + (s.backend().equals(Config.Retrieval.LUCENE) ? ", " + Sizes.human(s.bytesOnDisk()) : "") : index));
        out.println("retrieval: " + report.get("retrieval"));
        var paths = (Map<String, Object>) report.get("paths");
        paths.forEach((k, v) -> out.println(k + ": " + v));
        out.println("versions: " + report.get("versions"));
    }
}
