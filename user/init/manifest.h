#pragma once
// The boot manifest: which services init starts, with what, and who may reach whom. Pure
// parsing and ordering, no system calls, so the host tests run it under ASan and UBSan.
// Format: docs/userspace.md, "Manifest".
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MF_NAME_MAX 16      // bytes of a service, binary or grant name, with its NUL
#define MF_MAX_SERVICES 24
#define MF_MAX_GRANTS 8
#define MF_ARGS_MAX 128     // the arguments, NUL-separated, with their NULs
#define MF_MAX_ARGS 8
#define MF_MAX_RULES 32
#define MF_LINE_MAX 256
#define MF_PAGES_MIN 16     // enough for the program, its stack and the kernel's share
#define MF_PAGES_MAX 16384  // the login screen: its own and a desktop session with its apps
#define MF_PRIO_MAX 31
#define MF_IRQ_RANGE_MAX 8  // lines in one irq:N-M grant

// Rights a policy rule can give a client over a service's endpoint (letters in the manifest).
#define MF_RIGHT_CALL 1u      // 'c': call it (NX_RIGHT_SIGNAL)
#define MF_RIGHT_TRANSFER 2u  // 't': pass the handle on (NX_RIGHT_TRANSFER)
#define MF_RIGHT_DUP 4u       // 'd': duplicate it (NX_RIGHT_DUPLICATE)

// The badge bit of a proc:view grant: init's process list and power off without kill (what
// the login programs hold and pass on to a user's session). Beside nx/services.h's bits.
#define MF_BADGE_PROC_VIEW (1u << 19)

enum mf_grant_kind {
    MF_GRANT_SERVICE,  // an endpoint of another service (or init's exec/proc), badged
    MF_GRANT_MMIO,     // a physical VMO over a device's registers (value: device index)
    MF_GRANT_IRQ,      // IRQ objects for the lines value..last, one notification
    MF_GRANT_BOOTFS,   // the boot archive VMO, read-only (the file system service mounts it)
    MF_GRANT_POWER,    // the device resource with WRITE only: nx_system_power_mode
    MF_GRANT_DIR,      // dir:PATH: a directory handle of the file system service "fs"
    MF_GRANT_VIRTIO,   // virtio:KIND: one virtio-mmio slot holding such a device, and its line
                       // (value: the virtio device ID; init picks the slot at start time)
};

struct mf_grant {
    enum mf_grant_kind kind;
    char name[MF_NAME_MAX];  // as written: "log", "mmio:uart", "irq:10", "irq:1-8" (a
                             // service's facet cut off: "wm:lock" is "wm")
    uint32_t value;
    uint32_t facet;          // MF_GRANT_SERVICE: badge bits added (NX_BADGE_LOCK for ":lock",
                             // MF_BADGE_PROC_VIEW for "proc:view")
    uint32_t last;           // MF_GRANT_IRQ: the range's last line (value for one line)
};

struct mf_service {
    char name[MF_NAME_MAX];
    char binary[MF_NAME_MAX];  // program in the boot archive (default: the name)
    uint32_t priority;
    uint32_t pages;
    bool restart;
    int line;
    int ngrants;
    struct mf_grant grants[MF_MAX_GRANTS];
    int argc;                  // arguments after "--", back to back in args
    size_t args_len;
    char args[MF_ARGS_MAX];
};

struct mf_rule {
    char client[MF_NAME_MAX];   // a service name, or "*" for every client
    char service[MF_NAME_MAX];
    uint32_t rights;            // MF_RIGHT_*
    bool net;                   // from a net line: service is the network policy's
                                // pseudo-service (net.out, net.in.PORT; nx/net.h)
    int line;
};

struct manifest {
    int nservices;
    struct mf_service services[MF_MAX_SERVICES];
    int nrules;
    struct mf_rule rules[MF_MAX_RULES];
    int errors;  // lines reported and skipped
};

// Told about each line that is skipped: its number (from 1) and why.
typedef void (*mf_report_fn)(void *ctx, int line, const char *reason);

// Devices a manifest can grant with mmio:NAME (QEMU virt's windows).
struct mf_device {
    const char *name;
    uint64_t paddr, size;
};
extern const struct mf_device mf_devices[];

// Virtio devices a manifest can grant with virtio:NAME, by their virtio device ID.
struct mf_virtio_kind {
    const char *name;
    uint32_t device_id;
};
extern const struct mf_virtio_kind mf_virtio_kinds[];

// Services provided by init itself rather than by a program.
bool mf_is_builtin(const char *name);

// The service a grant needs started first (a service grant's own name; "fs" for dir:), or
// NULL.
const char *mf_grant_service(const struct mf_grant *g);

// Parse text[0..len). Every invalid line is reported and skipped; then services whose grants
// name no service are dropped (reported at their line), as are those in a dependency cycle.
// Afterwards m->services is in start order: every service after the ones it was granted.
void manifest_parse(struct manifest *m, const char *text, size_t len, mf_report_fn report,
                    void *ctx);

// The service called name, or NULL.
const struct mf_service *manifest_find(const struct manifest *m, const char *name);
