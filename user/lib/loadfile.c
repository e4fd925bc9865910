// nx_load_file (nx/loader.h): nx_load of an ELF file reached through the file system.
#include <fcntl.h>
#include <unistd.h>
#include <nx/file.h>
#include <nx/loader.h>
#include <nx/nx.h>

long nx_load_file(const char *path, const struct nx_load_params *p, nx_handle_t *proc,
                  const char **why)
{
    const void *elf;
    uint64_t size;
    int fd = open(path, O_RDONLY);
    long err = fd < 0 ? NX_ERR_NOT_FOUND : nx_file_map(fd, &elf, &size);
    if (err) {
        for (size_t i = 0; i < p->nhandles; i++)
            nx_handle_close(p->handles[i].handle);
        if (why)
            *why = fd < 0 ? "no such program" : "cannot map the program";
    } else {
        err = nx_load(elf, (size_t)size, p, proc, why);
    }
    if (fd >= 0)
        close(fd);   // the mapping goes with the open: nx_load copied what it needs
    return err;
}
