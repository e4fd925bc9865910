#pragma once
// A single-producer, single-consumer ring of records in shared memory (a VMO mapped by both
// sides), with a notification for "data available". Records are 1 .. NX_RING_RECORD_MAX
// bytes and arrive whole, in order. The writer never blocks: a record that does not fit is
// dropped and counted. Each side trusts nothing the other writes to the shared header: a
// corrupt index or length is reported (NX_ERR_BAD_STATE), never followed.
//
// Shared layout (struct nx_ring_shared, then `size` data bytes, size a power of two): the
// writer owns `head` and `dropped`, the reader owns `tail` and `reader_waiting`. Indices run
// freely (mod 2^64); a record is a 4-byte length, the bytes, padding to 8, and may wrap
// around the end of the data area.
//
// The writer signals the notification only when the reader said it is about to sleep, so a
// busy reader costs the writer no system call.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <nexus/handle.h>

#define NX_RING_MAGIC 0x676e6952584eull  // "NXRing"
#define NX_RING_RECORD_MAX 1024

struct nx_ring_shared {
    uint64_t magic;
    uint64_t size;             // data bytes, a power of two, >= 64
    uint64_t head;             // writer: bytes written
    uint64_t dropped;          // writer: records dropped since the ring was made
    uint64_t tail;             // reader: bytes consumed
    uint64_t reader_waiting;   // reader: 1 while it may sleep
    uint64_t writer_waiting;   // writer (byte streams): 1 while it may sleep for room
    uint64_t reserved;
};
_Static_assert(sizeof(struct nx_ring_shared) == 64, "header is one cache line");

// One side's view of a ring: pointers into its own mapping and the notification.
// Each side keeps its own index and the size privately, so the other side can corrupt only
// the shared copies (which are checked), never this side's view.
struct nx_ring {
    struct nx_ring_shared *sh;
    uint8_t *data;
    uint64_t size;
    uint64_t pos;        // writer: its head; reader: its tail
    nx_handle_t notif;   // writer: SIGNAL; reader: WAIT
    uint64_t bits;       // the notification bits meaning "data available"
    size_t mapped;       // bytes nx_ring_create / nx_ring_map mapped at sh (0: none)
};

// Bytes of shared memory for a ring of data_size bytes (a power of two, >= 64).
static inline size_t nx_ring_mem_size(size_t data_size)
{
    return sizeof(struct nx_ring_shared) + data_size;
}

// ---- pure parts (no system calls; host-tested) ----

// Format mem[0..mem_size) as an empty ring (data size: the largest power of two that fits).
long nx_ring_format(struct nx_ring *r, void *mem, size_t mem_size);
// Which side of a ring a view is.
enum nx_ring_side { NX_RING_WRITER, NX_RING_READER };

// Attach to a ring another process formatted in mem[0..mem_size) as `side`: checks magic and
// size; the view starts at that side's shared index.
long nx_ring_attach(struct nx_ring *r, void *mem, size_t mem_size, enum nx_ring_side side);

// Append one record. Returns 1 if the reader must be woken, 0 if not, NX_ERR_NO_SPACE (not
// enough room: dropped and counted), NX_ERR_INVALID (len 0 or over NX_RING_RECORD_MAX) or
// NX_ERR_BAD_STATE (the reader's tail is impossible).
long nx_ring_push(struct nx_ring *r, const void *rec, size_t len);

// Take the oldest record into buf[0..cap): NX_OK and *len; NX_ERR_NOT_FOUND if the ring is
// empty; NX_ERR_TOO_BIG if the record is longer than cap (it stays); NX_ERR_BAD_STATE if the
// writer's head or the record's length is impossible.
long nx_ring_pop(struct nx_ring *r, void *buf, size_t cap, size_t *len);

// Reader, before sleeping: announce it; true if the ring is still empty (sleep), false if a
// record arrived meanwhile (read it; the announcement is withdrawn).
bool nx_ring_prepare_sleep(struct nx_ring *r);
// Reader, after waking.
void nx_ring_end_sleep(struct nx_ring *r);

uint64_t nx_ring_dropped(const struct nx_ring *r);

// ---- byte streams (pure; the pipes of nx/pipe.h) ----
// The same shared layout carries bytes without record framing: the writer puts as many as
// fit, the reader takes as many as there are, and a writer with no room may sleep too
// (writer_waiting), woken by the reader when it frees room. Both check the other side's
// index as the record functions do (NX_ERR_BAD_STATE when impossible).

// Put up to n bytes; returns how many (0: full) or NX_ERR_BAD_STATE. *wake: the reader
// announced it sleeps and must be signalled.
long nx_ring_put_bytes(struct nx_ring *r, const void *buf, size_t n, bool *wake);
// Take up to n bytes; returns how many (0: empty) or NX_ERR_BAD_STATE. *wake: the writer
// announced it sleeps for room and must be signalled.
long nx_ring_get_bytes(struct nx_ring *r, void *buf, size_t n, bool *wake);
// Writer, before sleeping for room: announce it; true if the ring is still full (sleep).
bool nx_ring_writer_prepare_sleep(struct nx_ring *r);
void nx_ring_writer_end_sleep(struct nx_ring *r);

// ---- with system calls ----

// Writer: nx_ring_push, then signal the notification if the reader sleeps.
long nx_ring_write(struct nx_ring *r, const void *rec, size_t len);
// Reader: the next record, waiting until the deadline (NX_ERR_TIMED_OUT) if there is none.
// The wait takes every bit of the notification, so this is for a reader whose notification
// serves this ring alone; a reader of many rings uses nx_ring_pop and nx_ring_prepare_sleep
// around its own wait.
long nx_ring_read(struct nx_ring *r, void *buf, size_t cap, size_t *len, uint64_t deadline);

// Make a ring: a VMO of nx_ring_mem_size(data_size) bytes mapped here read-write and
// formatted. *vmo is the VMO (for the other side; map it with nx_ring_map). notif/bits are
// stored in r.
long nx_ring_create(size_t data_size, nx_handle_t notif, uint64_t bits, struct nx_ring *r,
                    nx_handle_t *vmo);
// Map a ring VMO someone else made (needs READ, WRITE and MAP) and attach to it as `side`.
long nx_ring_map(nx_handle_t vmo, enum nx_ring_side side, nx_handle_t notif, uint64_t bits,
                 struct nx_ring *r);
// Unmap what nx_ring_create or nx_ring_map mapped (the notification stays the caller's).
void nx_ring_unmap(struct nx_ring *r);
