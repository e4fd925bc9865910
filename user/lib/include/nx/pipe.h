#pragma once
// Byte pipes: one writer, one reader, a byte ring (nx/ring.h's byte functions) in a VMO both
// map, and a notification each way. The bytes cross between the processes through the
// shared pages: the kernel copies none of them; it only delivers the wake-ups, and only when
// a side announced that it sleeps (an empty ring for the reader, a full one for the writer).
//
// Each end holds three handles: the VMO (READ, WRITE, MAP), its own notification (WAIT) and
// the peer's (SIGNAL). Bits: NX_PIPE_BIT_IO means "data came" to the reader and "room came"
// to the writer; NX_PIPE_BIT_GONE means the peer is gone. A side sends GONE when it closes;
// when it dies without closing, nx_pipe_watch (whoever started it: the shell) has the kernel
// send it (nx_process_watch). So:
//   - the reader gets end-of-file (0) once the ring is empty and the writer closed or died;
//   - the writer gets NX_ERR_PEER_CLOSED (a broken pipe) once the reader closed or died.
// Neither side trusts the shared header: an impossible index makes every later call fail
// with NX_ERR_BAD_STATE, never a wild access.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>
#include <nx/ring.h>

#define NX_PIPE_BIT_IO 1ull
#define NX_PIPE_BIT_GONE 2ull
#define NX_PIPE_DATA_SIZE (64 * 1024)  // bytes a pipe buffers

// The handles of one end (to keep, or to hand to a child as named startup handles).
struct nx_pipe_handles {
    nx_handle_t vmo;     // the ring
    nx_handle_t wait;    // this end's notification (WAIT)
    nx_handle_t signal;  // the peer's (SIGNAL)
};

struct nx_pipe {
    struct nx_ring ring;
    enum nx_ring_side side;
    bool peer_gone;      // private: GONE was seen (the shared memory cannot fake or hide it)
    bool corrupt;        // the shared header was found impossible
    struct nx_pipe_handles h;
};

// ---- pure parts (no system calls; host-tested) ----

// An end's own state, fresh (its ring view is set apart).
void nx_pipe_reset(struct nx_pipe *p, enum nx_ring_side side);
// Attach an end to a ring someone formatted in mem[0..size).
long nx_pipe_attach(struct nx_pipe *p, void *mem, size_t size, enum nx_ring_side side);
// Reader: up to n bytes now. Returns how many (> 0), 0 at end-of-file (empty and the writer
// gone), NX_ERR_TIMED_OUT when empty with the writer alive, NX_ERR_BAD_STATE when corrupt.
// *wake: signal the writer (NX_PIPE_BIT_IO).
long nx_pipe_read_some(struct nx_pipe *p, void *buf, size_t n, bool *wake);
// Writer: up to n bytes now. Returns how many (> 0), NX_ERR_TIMED_OUT when full,
// NX_ERR_PEER_CLOSED when the reader is gone, NX_ERR_BAD_STATE when corrupt. *wake: signal
// the reader.
long nx_pipe_write_some(struct nx_pipe *p, const void *buf, size_t n, bool *wake);
// Take notification bits the end received (GONE: the peer is gone).
void nx_pipe_take_bits(struct nx_pipe *p, uint64_t bits);

// ---- with system calls ----

// A new pipe: a VMO of nx_ring_mem_size(NX_PIPE_DATA_SIZE) bytes (formatted) and two
// notifications; *rd and *wr get the handles of each end. Nothing is mapped here.
long nx_pipe_create(struct nx_pipe_handles *rd, struct nx_pipe_handles *wr);
// Open an end from its handles (taken: nx_pipe_close closes them).
long nx_pipe_open(const struct nx_pipe_handles *h, enum nx_ring_side side, struct nx_pipe *p);
// Read 1..n bytes, waiting until the deadline (0: do not wait) for the first: bytes read,
// 0 at end-of-file, NX_ERR_TIMED_OUT, NX_ERR_BAD_STATE.
long nx_pipe_read(struct nx_pipe *p, void *buf, size_t n, uint64_t deadline);
// Write all n bytes, waiting for room until the deadline (0: do not wait): the bytes
// written (fewer only at the deadline), or NX_ERR_PEER_CLOSED (broken pipe: nothing more
// can be written), NX_ERR_TIMED_OUT (none written), NX_ERR_BAD_STATE.
long nx_pipe_write(struct nx_pipe *p, const void *buf, size_t n, uint64_t deadline);
// Close an end: the peer gets GONE, the mapping and the handles go.
void nx_pipe_close(struct nx_pipe *p);
// Send GONE to the end whose notification `peer_signal` is (an end's `signal` handle, or a
// copy) when proc ends: the parent's guard against a child dying without closing.
long nx_pipe_watch(nx_handle_t proc, nx_handle_t peer_signal);
