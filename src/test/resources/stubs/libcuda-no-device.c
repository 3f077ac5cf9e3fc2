/*
 * Stands in for the NVIDIA driver's libcuda.so.1 on a machine with no GPU, so that the CUDA
 * runtime loads, asks the driver, and reports that there is no device.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

enum { CUDA_SUCCESS = 0, CUDA_ERROR_NO_DEVICE = 100, CUDA_ERROR_NOT_FOUND = 500 };

static int noDevice(void) { return CUDA_ERROR_NO_DEVICE; }

int cuInit(unsigned int flags) { (void) flags; return CUDA_ERROR_NO_DEVICE; }

int cuDriverGetVersion(int *version) { if (version) *version = 13000; return CUDA_SUCCESS; }

int cuDeviceGetCount(int *count) { if (count) *count = 0; return CUDA_ERROR_NO_DEVICE; }

int cuGetExportTable(const void **table, const void *id) { (void) id; if (table) *table = NULL; return CUDA_ERROR_NOT_FOUND; }

/* The runtime asks for every entry point by name: this library's own where it has one, else "no device". */
int cuGetProcAddress_v2(const char *symbol, void **pfn, int version, unsigned long long flags, int *status) {
    (void) version; (void) flags;
    if (symbol == NULL || *symbol == '\0' || pfn == NULL) { if (status) *status = 0; return CUDA_ERROR_NOT_FOUND; }
    void *own = NULL;
    if (strcmp(symbol, "cuGetProcAddress") == 0) {
        own = (void *) cuGetProcAddress_v2;
    } else {
        Dl_info info;
        own = dlsym(RTLD_DEFAULT, symbol);
        if (own && (!dladdr(own, &info) || strstr(info.dli_fname, "libcuda.so") == NULL)) own = NULL;
    }
    *pfn = own ? own : (void *) noDevice;
    if (status) *status = 1;
    return CUDA_SUCCESS;
}

int cuGetProcAddress(const char *symbol, void **pfn, int version, unsigned long long flags) {
    return cuGetProcAddress_v2(symbol, pfn, version, flags, NULL);
}
