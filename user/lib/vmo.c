// VMO helpers: nx_map_new_copy and nx_map_stack (internal.h), how both nx_spawn and the ELF
// loader fill a child's memory; nx_map_new_vmo and nx_pages_alloc, memory of this process's
// own.
#include <nx/nx.h>
#include "internal.h"

static long write_all(nx_handle_t vmo, size_t off, const char *src, size_t len)
{
    for (size_t done = 0; done < len; done += NX_VMO_RW_MAX) {
        size_t n = len - done < NX_VMO_RW_MAX ? len - done : NX_VMO_RW_MAX;
        long err = nx_vmo_write(vmo, (long)(off + done), (src + done), (long)n);
        if (err)
            return err;
    }
    return NX_OK;
}

long nx_map_new_copy(nx_handle_t proc, uint64_t va, size_t size, size_t off, const void *src,
                     size_t len, uint32_t prot)
{
    long vmo = nx_vmo_create((long)size);
    if (vmo < 0)
        return vmo;
    long r = write_all((nx_handle_t)vmo, off, src, len);
    if (r == NX_OK)
        r = nx_vm_map(proc, vmo, (long)va, 0, (long)size, prot);
    nx_handle_close(vmo);
    return r;
}

long nx_map_stack(nx_handle_t proc, size_t size)
{
    long va = nx_map_new_copy(proc, 0, NX_PAGE + size, 0, NULL, 0, NX_PROT_READ | NX_PROT_WRITE);
    if (va < 0)
        return va;
    long err = nx_vm_protect(proc, va, NX_PAGE, 0);
    if (err) {
        nx_vm_unmap(proc, va, (long)(NX_PAGE + size));
        return err;
    }
    return va + NX_PAGE + (long)size;
}

long nx_map_new_vmo(size_t size, nx_handle_t *vmo)
{
    long v = nx_vmo_create((long)size);
    if (v < 0)
        return v;
    long va = nx_vm_map(nx_self, v, 0, 0, (long)size, NX_PROT_READ | NX_PROT_WRITE);
    if (va < 0) {
        nx_handle_close(v);
        return va;
    }
    *vmo = (nx_handle_t)v;
    return va;
}

long nx_vmo_commit_range(nx_handle_t vmo, size_t off, size_t len)
{
    for (size_t done = 0; done < len; done += NX_VMO_RW_MAX) {
        size_t n = len - done < NX_VMO_RW_MAX ? len - done : NX_VMO_RW_MAX;
        long err = nx_vmo_commit(vmo, (long)(off + done), (long)n);
        if (err)
            return err;
    }
    return NX_OK;
}

long nx_pages_alloc(size_t bytes, void **p)
{
    size_t size = NX_PAGE_UP(bytes);
    if (size < bytes || size == 0)
        return NX_ERR_INVALID;
    nx_handle_t vmo;
    long va = nx_map_new_vmo(size, &vmo);
    if (va < 0)
        return va;
    long err = nx_vmo_commit_range(vmo, 0, size);
    nx_handle_close(vmo);   // the mapping keeps the VMO
    if (err) {
        nx_vm_unmap(nx_self, va, (long)size);
        return err;
    }
    *p = (void *)va;
    return NX_OK;
}

void nx_pages_free(void *p, size_t bytes)
{
    if (p)
        nx_vm_unmap(nx_self, (long)(uintptr_t)p, (long)NX_PAGE_UP(bytes));
}

long nx_vmo_sealed_copy(const void *data, size_t len)
{
    long vmo = nx_vmo_create(len);
    if (vmo < 0)
        return vmo;
    long err = write_all((nx_handle_t)vmo, 0, data, len);
    if (err == NX_OK)
        err = nx_vmo_seal((nx_handle_t)vmo);
    if (err != NX_OK) {
        nx_handle_close((nx_handle_t)vmo);
        return err;
    }
    return vmo;
}

long nx_vmo_map_readonly(nx_handle_t vmo, size_t *size)
{
    long n = nx_vmo_size(vmo);
    if (n < 0)
        return n;
    long va = nx_vm_map(nx_self, vmo, 0, 0, (size_t)n, NX_PROT_READ);
    if (va >= 0)
        *size = (size_t)n;
    return va;
}
