package dev.ragdesk.engine.server;

import com.sun.net.httpserver.HttpServer;
import dev.ragdesk.RagdeskException;
import dev.ragdesk.io.FileDigest;
import dev.ragdesk.models.Downloader;
import dev.ragdesk.models.Transfer;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CUDA redistributable's fetch, from a real HTTP server on loopback serving a jar laid out
 * like Bytedeco's (the 2 GB original cannot be fetched in a test): the pin decides what is kept.
 */
class CudaRedistTest {
    @TempDir Path dir;
    HttpServer http;
    byte[] jar;
    final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void serve() throws Exception {
        var bytes = new ByteArrayOutputStream();
        try (var zip = new ZipOutputStream(bytes)) {
            for (var name : List.of("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12", "libcufft.so.11", "libnppc.so.12")) {
                zip.putNextEntry(new ZipEntry("org/bytedeco/cuda/linux-x86_64/" + name));
                zip.write(("bytes of " + name).getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.closeEntry();
        }
        jar = bytes.toByteArray();
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/redist.jar", exchange -> {
            requests.incrementAndGet();
            exchange.sendResponseHeaders(200, jar.length);
            try (var out = exchange.getResponseBody()) {
                out.write(jar);
            }
        });
        http.start();
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    private CudaRedist.Pin pin(String sha256) {
        var real = CudaRedist.CUDA_12_6;
        return new CudaRedist.Pin(real.version(), HttpUrl.get("http://127.0.0.1:" + http.getAddress().getPort() + "/redist.jar"),
                sha256, jar.length, real.folderInJar(), real.libraries(), 0);
    }

    private static Downloader downloader() {
        return new Downloader(new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build(), Downloader.DiskSpace.REAL,
                d -> { }, new Downloader.RetryPolicy(1, Duration.ZERO, Duration.ZERO));
    }

    private String sha256() throws Exception {
        var file = Files.write(dir.resolve("reference.jar"), jar);
        try {
            return HexFormat.of().formatHex(FileDigest.of(file, "SHA-256"));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aJarThatIsNotThePinnedOneIsRefusedAndNothingIsKept() throws Exception {
        var cuda = dir.resolve("cuda");
        var wrong = "0".repeat(64);
        var e = assertThrows(RagdeskException.class, () -> CudaRedist.fetch(cuda, pin(wrong), downloader(), p -> { }, new Transfer()));
        assertTrue(e.getMessage().contains("sha256 mismatch"), e.getMessage());
        assertFalse(CudaRedist.present(cuda, pin(wrong)));
        try (var left = Files.list(cuda)) {
            assertEquals(List.of(), left.toList(), "neither the jar nor a library is left");
        }
    }

    @Test
    void thePinnedJarLeavesOnlyTheThreeLibrariesPrivateAndIsFetchedOnce() throws Exception {
        var cuda = dir.resolve("cuda");
        var folder = CudaRedist.fetch(cuda, pin(sha256()), downloader(), p -> { }, new Transfer());
        assertEquals(cuda.resolve("12.6"), folder);
        try (var files = Files.list(folder)) {
            assertEquals(List.of("libcublas.so.12", "libcublasLt.so.12", "libcudart.so.12"),
                    files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertEquals("bytes of libcublas.so.12", Files.readString(folder.resolve("libcublas.so.12")));
        try (var left = Files.list(cuda)) {
            assertEquals(List.of(folder), left.toList(), "the 2 GB jar is not kept beside them");
        }
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(cuda)));
        CudaRedist.fetch(cuda, pin(sha256()), downloader(), p -> { }, new Transfer());
        assertEquals(1, requests.get(), "present libraries are not fetched again");
    }
}
