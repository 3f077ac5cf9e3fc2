package dev.ragdesk.engine.server;

import dev.ragdesk.io.FileTrees;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.io.AtomicFiles;
import dev.ragdesk.io.Sizes;
import dev.ragdesk.models.DownloadProgress;
import dev.ragdesk.models.Downloader;
import dev.ragdesk.models.HubFile;
import dev.ragdesk.models.Transfer;
import okhttp3.HttpUrl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.ZipFile;

/**
 * The CUDA runtime and cuBLAS for a host that has the NVIDIA driver and nothing else: NVIDIA's
 * redistributable libraries as Bytedeco publishes them on Maven Central. The jar is pinned by its
 * sha256 and fetched with the model downloader (resumable, verified, with progress); only the
 * three libraries the backend needs are kept, in the user's cache, shared by every workspace.
 */
public final class CudaRedist {
    /** One pinned jar and the libraries taken from it. */
    public record Pin(String version, HttpUrl url, String sha256, long bytes, String folderInJar, List<String> libraries, long keptBytes) {}

    /** CUDA 12.6's runtime, cuBLAS and cuBLASLt (Maven Central serves no 13.x redistributable). */
    public static final Pin CUDA_12_6 = new Pin("12.6",
            HttpUrl.get("https://repo1.maven.org/maven2/org/bytedeco/cuda/12.6-9.5-1.5.11/cuda-12.6-9.5-1.5.11-linux-x86_64-redist.jar"),
            "b9130f92e121c5ae39d93083b2db5305af3b53bab1ef232463e281593ebb74d0", 2_026_748_503L,
            "org/bytedeco/cuda/linux-x86_64/", List.of("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12"), 600_063_824L);

    private CudaRedist() {}

    /** Where {@code pin}'s libraries live under the user's CUDA folder ({@link dev.ragdesk.gpu.CudaHost#ragdeskFolder}). */
    public static Path folder(Path cudaFolder, Pin pin) {
        return cudaFolder.resolve(pin.version());
    }

    public static boolean present(Path cudaFolder, Pin pin) {
        return pin.libraries().stream().allMatch(name -> Files.isRegularFile(folder(cudaFolder, pin).resolve(name)));
    }

    /** What the fetch costs, said before it starts. */
    public static String cost(Pin pin) {
        return "CUDA " + pin.version() + " runtime and cuBLAS from Maven Central (" + Sizes.human(pin.bytes()) + " download, "
                + Sizes.human(pin.keptBytes()) + " kept)";
    }

    /**
     * Fetches the jar into {@code cudaFolder} (a partial download resumes), checks it against the
     * pin, and keeps only the libraries. A jar whose sha256 differs is refused and deleted.
     */
    public static Path fetch(Path cudaFolder, Pin pin, Downloader downloader, Consumer<DownloadProgress> progress, Transfer transfer)
            throws RagdeskException, InterruptedException {
        var target = folder(cudaFolder, pin);
        if (present(cudaFolder, pin)) return target;
        try {
            AtomicFiles.ownerOnlyDirectory(cudaFolder);
        } catch (IOException e) {
            throw new RagdeskException("cannot create " + cudaFolder + ": " + e.getMessage(), e);
        }
        var jar = cudaFolder.resolve("cuda-" + pin.version() + "-redist.jar");
        var file = new HubFile("Maven Central", pin.version(), jar.getFileName().toString(), pin.bytes(), pin.sha256(), "", pin.url());
        try {
            var result = downloader.download(file, jar, pin.sha256(), progress, transfer);
            if (!result.hashVerified() || !result.sha256().equalsIgnoreCase(pin.sha256())) {
                throw new RagdeskException(jar.getFileName() + " does not match its pinned sha256; nothing was kept");
            }
            var partial = Files.createTempDirectory(cudaFolder, "." + pin.version() + ".part-");
            try (var zip = new ZipFile(jar.toFile())) {
                for (var name : pin.libraries()) {
                    var entry = zip.getEntry(pin.folderInJar() + name);
                    if (entry == null) throw new RagdeskException(jar.getFileName() + " holds no " + name + "; nothing was kept");
                    try (var in = zip.getInputStream(entry)) {
                        Files.copy(in, partial.resolve(name));
                    }
                    AtomicFiles.fsync(partial.resolve(name));
                }
                FileTrees.delete(target); // an incomplete folder from an older ragdesk
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                AtomicFiles.fsyncDirectory(cudaFolder);
            } finally {
                FileTrees.delete(partial);
            }
            return target;
        } catch (IOException e) {
            throw new RagdeskException("cannot unpack the CUDA libraries into " + cudaFolder + ": " + e.getMessage(), e);
        } finally {
            try {
                // the libraries are what is kept; a wrong jar is not kept either
                Files.deleteIfExists(jar);
            } catch (IOException ignored) {
                // it is fetched again, or resumed, next time
            }
        }
    }

}
