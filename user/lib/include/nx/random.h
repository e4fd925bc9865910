#pragma once
// Random bytes from the entropy service "rng", the virtio-rng driver (docs/userspace.md,
// "Entropy"). Its one operation follows nx/rpc.h:
//
//   NX_RNG_READ  bytes: struct nx_rng_read. Reply: exactly `bytes` bytes from the device,
//                each handed to one caller only. Errors: NX_ERR_INVALID (0 bytes, or a
//                request of another size), NX_ERR_TOO_BIG (more than NX_RNG_MAX),
//                NX_ERR_TIMED_OUT (the device did not give enough within a second), NX_ERR_IO (it
//                claimed to write more than it was given).
#include <stddef.h>
#include <stdint.h>
#include <nexus/ipc.h>

#define NX_RNG_SERVICE "rng"
#define NX_RNG_MAX NX_MSG_BYTES_MAX  // bytes one request may ask for: one reply's worth

enum {
    NX_RNG_READ = 0x52000001,
};

struct nx_rng_read {
    uint64_t bytes;
};

// n random bytes into buf, from the service found through svcmgr (once; the handle is kept).
// NX_OK, an error of NX_RNG_READ, nx_svc_lookup's (NX_ERR_NOT_FOUND, NX_ERR_ACCESS), or
// NX_ERR_TIMED_OUT when the service does not answer within 2 s (no device: the driver exited).
long nx_random(void *buf, size_t n);
