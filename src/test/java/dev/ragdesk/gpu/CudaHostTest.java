package dev.ragdesk.gpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The host's CUDA situation, on a file tree laid out like a GPU server's: a driver and a GPU
 * cannot exist on this machine, so their files are the boundary this test fakes. The code
 * under test reads them exactly as it reads a real /proc and /usr.
 */
class CudaHostTest {
    @TempDir Path root;
    final Map<String, String> env = new HashMap<>();
    String ldconfig = "";

    private CudaHost host() {
        return new CudaHost(root, env, () -> ldconfig);
    }

    private void driver(String version) throws Exception {
        var file = root.resolve("proc/driver/nvidia/version");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "NVRM version: NVIDIA UNIX x86_64 Kernel Module  " + version + "  Release Build  (dvs-builder@U16-I3-B03-4-3)\n"
                + "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n");
    }

    private void device() throws Exception {
        Files.createDirectories(root.resolve("dev"));
        Files.writeString(root.resolve("dev/nvidia0"), "");
    }

    private Path lib(String dir, String name) throws Exception {
        var d = root.resolve(dir.substring(1));
        Files.createDirectories(d);
        return Files.writeString(d.resolve(name), "");
    }

    @Test
    void theCudaVersionFollowsTheDriver() {
        assertEquals(13, CudaHost.cudaFor(580));
        assertEquals(13, CudaHost.cudaFor(590));
        assertEquals(12, CudaHost.cudaFor(579));
        assertEquals(12, CudaHost.cudaFor(525));
        assertEquals(0, CudaHost.cudaFor(520));
    }

    @Test
    void eachReasonForAnUnusedGpuIsOneLine() throws Exception {
        assertEquals("no NVIDIA driver (no /proc/driver/nvidia/version): the models run on the CPU", host().inspect().verdict());
        driver("470.82.01");
        var old = host().inspect();
        assertEquals(0, old.cuda());
        assertTrue(old.verdict().startsWith("NVIDIA driver 470.82.01 is too old for CUDA 12 (it needs 525 or newer)"), old.verdict());
        driver("535.183.01");
        var noDevice = host().inspect();
        assertEquals(12, noDevice.cuda());
        assertTrue(noDevice.verdict().contains("no GPU device is visible"), noDevice.verdict());
        device();
        var noLibraries = host().inspect();
        assertFalse(noLibraries.usable());
        assertEquals(List.of("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12"), noLibraries.missing());
        assertTrue(noLibraries.verdict().startsWith("NVIDIA driver 535.183.01 runs CUDA 12, but libcudart.so.12, libcublas.so.12,"
                + " libcublasLt.so.12 were not found"), noLibraries.verdict());
        for (var r : List.of(old, noDevice, noLibraries)) assertFalse(r.verdict().contains("\n"));
    }

    /** PyTorch's wheels, with no toolkit: the common case on a server that runs Python jobs. */
    @Test
    void pythonsNvidiaWheelsAreFound() throws Exception {
        driver("580.65.06");
        device();
        env.put("HOME", "/home/ana");
        var site = "/home/ana/.local/lib/python3.11/site-packages/nvidia";
        lib(site + "/cu13/lib", "libcudart.so.13");
        lib(site + "/cu13/lib", "libcublas.so.13");
        lib(site + "/cu13/lib", "libcublasLt.so.13");
        var report = host().inspect();
        assertTrue(report.usable(), report.verdict());
        assertEquals(13, report.cuda());
        assertEquals(Path.of(site, "cu13/lib/libcudart.so.13"), report.libraries().get(0).path());
        assertEquals("NVIDIA driver 580.65.06, CUDA 13: libcudart.so.13 from Python's nvidia wheels, libcublas.so.13 from Python's nvidia wheels,"
                + " libcublasLt.so.13 from Python's nvidia wheels", report.verdict());
    }

    /** LD_LIBRARY_PATH first, then a toolkit, then the wheels, then the loader's cache. */
    @Test
    void theSearchOrderIsTheUsersThenToolkitsThenWheelsThenTheLoader() throws Exception {
        driver("550.54.14");
        device();
        env.put("HOME", "/home/ana");
        env.put("LD_LIBRARY_PATH", "/opt/mine");
        lib("/usr/local/cuda-12.4/lib64", "libcudart.so.12");
        lib("/usr/local/cuda-12.4/lib64", "libcublas.so.12");
        lib("/opt/mine", "libcublas.so.12");
        lib("/home/ana/.local/lib/python3.11/site-packages/nvidia/cublas/lib", "libcublasLt.so.12");
        lib("/home/ana/.local/lib/python3.11/site-packages/nvidia/cuda_runtime/lib", "libcudart.so.12");
        ldconfig = "\t3 libs found in cache `/etc/ld.so.cache'\n\tlibcublasLt.so.12 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libcublasLt.so.12\n";
        var found = host().inspect().libraries();
        assertEquals(new CudaHost.Library("libcudart.so.12", Path.of("/usr/local/cuda-12.4/lib64/libcudart.so.12"), "a CUDA toolkit"),
                found.get(0), "the toolkit before the wheel");
        assertEquals(new CudaHost.Library("libcublas.so.12", Path.of("/opt/mine/libcublas.so.12"), "LD_LIBRARY_PATH"),
                found.get(1), "the user's folder before the toolkit");
        assertEquals("Python's nvidia wheels", found.get(2).place(), "the wheel before the loader's cache");

        Files.delete(root.resolve("home/ana/.local/lib/python3.11/site-packages/nvidia/cublas/lib/libcublasLt.so.12"));
        var fromCache = host().inspect().libraries().get(2);
        assertEquals(new CudaHost.Library("libcublasLt.so.12", Path.of("/usr/lib/x86_64-linux-gnu/libcublasLt.so.12"), "the loader's cache"),
                fromCache);
    }

    @Test
    void aNewDriverFallsBackToCuda12sLibrariesButAnOldOneCannotUse13s() throws Exception {
        driver("580.65.06");
        device();
        lib("/usr/local/cuda/lib64", "libcudart.so.12");
        lib("/usr/local/cuda/lib64", "libcublas.so.12");
        lib("/usr/local/cuda/lib64", "libcublasLt.so.12");
        var report = host().inspect();
        assertTrue(report.usable(), report.verdict());
        assertEquals(12, report.cuda(), "580 runs CUDA 12 too, and only 12's libraries are here");

        driver("550.54.14");
        for (var name : List.of("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12")) Files.delete(root.resolve("usr/local/cuda/lib64").resolve(name));
        for (var name : List.of("libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13")) lib("/usr/local/cuda/lib64", name);
        var old = host().inspect();
        assertEquals(12, old.cuda());
        assertFalse(old.usable(), "CUDA 13's libraries need a 580 driver");
        assertEquals(List.of("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12"), old.missing());
    }

    @Test
    void anInstalledBackendNeedsItsOwnCudaVersionAndRagdesksDownloadIsFoundLast() throws Exception {
        driver("550.54.14");
        device();
        var tooNew = host().inspect(13);
        assertFalse(tooNew.usable());
        assertEquals("NVIDIA driver 550.54.14 runs CUDA 12 at most, and the installed backend is for CUDA 13: "
                + "run `ragdesk engine install --backend cuda` again", tooNew.verdict());

        // what `engine install` fetched into the user's cache serves when the host has nothing
        env.put("HOME", "/home/someone");
        for (var name : List.of("libcudart.so.12", "libcublas.so.12", "libcublasLt.so.12")) lib("/home/someone/.cache/ragdesk/cuda/12.6", name);
        var fetched = host().inspect(12);
        assertTrue(fetched.usable(), fetched.verdict());
        assertEquals(Path.of("/home/someone/.cache/ragdesk/cuda/12.6/libcublas.so.12"), fetched.libraries().get(1).path());
        assertTrue(fetched.verdict().contains("libcublas.so.12 from ragdesk's download in /home/someone/.cache/ragdesk/cuda/12.6"), fetched.verdict());

        // a library the host has wins over ragdesk's copy
        lib("/usr/local/cuda/lib64", "libcublas.so.12");
        assertEquals(Path.of("/usr/local/cuda/lib64/libcublas.so.12"), host().inspect(12).libraries().get(1).path());
    }

    @Test
    void cublasForABuildIsFoundWithItsHeadersInPipsWheel() throws Exception {
        env.put("VIRTUAL_ENV", "/venv");
        var wheel = "/venv/lib/python3.12/site-packages/nvidia/cu13";
        lib(wheel + "/lib", "libcublas.so.13");
        lib(wheel + "/lib", "libcublasLt.so.13");
        assertEquals(java.util.Optional.empty(), host().cublasDevelopment(13), "libraries without headers cannot be compiled against");
        lib(wheel + "/include", "cublas_v2.h");
        var found = host().cublasDevelopment(13).orElseThrow();
        assertEquals(Path.of(wheel, "include"), found.include());
        assertEquals(Path.of(wheel, "lib", "libcublas.so.13"), found.cublas());
        assertEquals(Path.of(wheel, "lib", "libcublasLt.so.13"), found.cublasLt());
    }
}
