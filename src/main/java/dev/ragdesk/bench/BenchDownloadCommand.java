package dev.ragdesk.bench;

import dev.ragdesk.app.ExitCodes;
import dev.ragdesk.app.Json;
import dev.ragdesk.models.Downloader;
import dev.ragdesk.models.HubClient;
import dev.ragdesk.models.Transfer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

@Command(name = "download", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download a generated file from a hub-protocol server on 127.0.0.1 with ragdesk's",
                "downloader (streaming sha256, fsync, rename), then with curl, in the same run; prints MB/s.",
                "The server listens on loopback only while the benchmark runs."})
final class BenchDownloadCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @picocli.CommandLine.ParentCommand BenchCommand bench;

    @Option(names = "--size-mb", paramLabel = "MB", defaultValue = "1024", description = "File size (default: ${DEFAULT-VALUE}).")
    int sizeMb;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "Downloads per client; the best counts (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        var ctx = bench.context();
        var dir = Files.createDirectories(ctx.workspace().tmp().resolve("bench-download"));
        var err = spec.commandLine().getErr();
        var source = dir.resolve("source.bin");
        long size = (long) sizeMb << 20;
        if (!json) err.println("writing a " + sizeMb + " MB test file ...");
        var sha = writeRandom(source, size);
        flushToDisk(source);

        var server = new LoopbackFileServer(source, size, sha);
        var endpoint = "http://127.0.0.1:" + server.port();
        try {
            double ours = 0;
            double oursTransfer = 0;
            double curl = 0;
            double verifiedCurl = 0;
            for (int i = 0; i < runs; i++) {
                if (!json) err.println("run " + (i + 1) + ": ragdesk ...");
                var rates = ragdesk(endpoint, dir, sha);
                ours = Math.max(ours, rates[0]);
                oursTransfer = Math.max(oursTransfer, rates[1]);
                if (!json) err.println("run " + (i + 1) + ": curl ...");
                curl = Math.max(curl, curl(endpoint + LoopbackFileServer.RESOLVE_PATH, dir.resolve("curl.bin")));
                if (!json) err.println("run " + (i + 1) + ": curl | tee | sha256sum, then sync ...");
                verifiedCurl = Math.max(verifiedCurl, verifiedCurl(endpoint + LoopbackFileServer.RESOLVE_PATH, dir.resolve("curl.bin"), sha));
            }
            var report = new LinkedHashMap<String, Object>();
            report.put("size_mb", sizeMb);
            report.put("runs", runs);
            report.put("ragdesk_mb_per_s", round(ours));
            report.put("ragdesk_transfer_mb_per_s", round(oursTransfer));
            report.put("curl_mb_per_s", curl < 0 ? null : round(curl));
            report.put("curl_sha256sum_fsync_mb_per_s", verifiedCurl <= 0 ? null : round(verifiedCurl));
            report.put("ratio_vs_curl_sha256sum_fsync", verifiedCurl <= 0 ? null : round2(ours / verifiedCurl));
            report.put("ratio_vs_curl", curl <= 0 ? null : round(ours / curl));
            report.put("transfer_ratio_vs_curl", curl <= 0 ? null : round(oursTransfer / curl));
            var out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.pretty(report));
            } else {
                out.printf("bench download: %d MB from 127.0.0.1, best of %d%n", sizeMb, runs);
                out.printf("  ragdesk, verified install:         %8.1f MB/s (sha256 on the fly, then fsync + rename)%n", ours);
                out.printf("  ragdesk, transfer + sha256 only:   %8.1f MB/s%n", oursTransfer);
                out.printf("  curl | tee FILE | sha256sum; sync FILE: %s%n", verifiedCurl <= 0 ? "curl, sha256sum or sync not found"
                        : String.format("%8.1f MB/s (the same work as ragdesk's install)", verifiedCurl));
                out.printf("  curl -o FILE:                      %s%n", curl < 0 ? "curl not found" : String.format("%8.1f MB/s", curl));
                if (verifiedCurl > 0) out.printf("  ratio to curl + sha256sum + fsync: %8.2f%n", ours / verifiedCurl);
                if (curl > 0) out.printf("  ratio to plain curl:               %8.2f (transfer only: %.2f)%n", ours / curl, oursTransfer / curl);
            }
            out.flush();
        } finally {
            server.close();
            for (var f : new String[] {"source.bin", "curl.bin", "ours.bin"}) Files.deleteIfExists(dir.resolve(f));
        }
        return ExitCodes.OK;
    }

    /** {whole verified install, transfer alone without the final fsync and rename} in MB/s. */
    private static double[] ragdesk(String endpoint, Path dir, String sha) throws Exception {
        var target = dir.resolve("ours.bin");
        Files.deleteIfExists(target);
        var hub = new HubClient(endpoint, null);
        var downloader = Downloader.forHub(hub);
        long t0 = System.nanoTime();
        var file = hub.describe("bench/file", "main", "blob.bin");
        var result = downloader.download(file, target, sha, p -> {}, new Transfer());
        double seconds = (System.nanoTime() - t0) / 1e9;
        double mb = result.size() / 1048576.0;
        return new double[] {mb / seconds, mb / (seconds - result.installMs() / 1e3)};
    }

    private static double curl(String url, Path target) throws Exception {
        Files.deleteIfExists(target);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder("curl", "-sS", "-L", "-o", target.toString(), url).inheritIO().start();
        } catch (IOException e) {
            return -1;
        }
        if (p.waitFor() != 0) return -1;
        double seconds = (System.nanoTime() - t0) / 1e9;
        flushToDisk(target); // outside the timing: curl does not fsync, but its dirty pages must not slow the next run
        return Files.size(target) / 1048576.0 / seconds;
    }

    /**
     * The fair baseline: what a careful person types for a verified download. curl streams
     * into tee, which writes the file and feeds sha256sum, then sync flushes the file to disk.
     * -1 when a tool is missing or the hash is wrong.
     */
    private static double verifiedCurl(String url, Path target, String sha) throws Exception {
        Files.deleteIfExists(target);
        var script = "set -o pipefail; curl -sS -L \"$1\" | tee \"$2\" | sha256sum | cut -d' ' -f1 && sync \"$2\"";
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder("bash", "-c", script, "verified-curl", url, target.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            return -1;
        }
        var printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        if (p.waitFor() != 0 || !printed.equals(sha)) return -1;
        double seconds = (System.nanoTime() - t0) / 1e9;
        return Files.size(target) / 1048576.0 / seconds;
    }

    private static void flushToDisk(Path file) throws IOException {
        try (var channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static String writeRandom(Path file, long size) throws Exception {
        var digest = MessageDigest.getInstance("SHA-256");
        var random = new SplittableRandom(42);
        var buffer = ByteBuffer.allocate(1 << 20);
        try (var channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            for (long written = 0; written < size; written += buffer.capacity()) {
                buffer.clear();
                while (buffer.remaining() >= 8) buffer.putLong(random.nextLong());
                buffer.flip();
                digest.update(buffer.array(), 0, buffer.limit());
                while (buffer.hasRemaining()) channel.write(buffer);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
