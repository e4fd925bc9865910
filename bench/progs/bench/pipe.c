// Pipes (nx/pipe.h) between this process and a copy of it (nx_spawn): one byte each way
// through two pipes, and 16 MiB one way; the bytes cross through the shared ring, so the
// kernel copies none of them (it only delivers the wake-ups).
#include <nx/ipc.h>
#include <nx/nx.h>
#include <nx/pipe.h>
#include "bench.h"

#define PIPE_BYTES (16ul << 20)
#define CHUNK (64ul << 10)
#define ROUNDTRIPS 2000
#define CHILD_PAGES 64

enum { ECHO = 1, DRAIN = 2 };

static char buffer[CHUNK];

// The next pipe end the parent sends (3 handles in one call), opened as side.
static long take_end(nx_handle_t ep, enum nx_ring_side side, struct nx_pipe *p, uint32_t *label)
{
    struct nx_msg m = { .info = 0 };
    long err = nx_ipc_recv(ep, &m, NX_DEADLINE_NEVER);
    if (err || NX_MSG_NHANDLES(m.info) != 3)
        return err ? err : NX_ERR_INVALID;
    struct nx_pipe_handles h = { nx_ipc_buffer->handles[0], nx_ipc_buffer->handles[1],
                                 nx_ipc_buffer->handles[2] };
    *label = NX_MSG_LABEL(m.info);
    m.info = NX_MSG_INFO(0, 0, 0);
    nx_ipc_reply(&m);
    return nx_pipe_open(&h, side, p);
}

// ECHO: read a byte from the first pipe, write it to the second, until end-of-file.
// DRAIN: read the first pipe to its end.
static void child(nx_handle_t ep)
{
    struct nx_pipe in, out;
    uint32_t label;
    if (take_end(ep, NX_RING_READER, &in, &label))
        return;
    if (label == ECHO && take_end(ep, NX_RING_WRITER, &out, &label))
        return;
    for (long n; (n = nx_pipe_read(&in, buffer, sizeof buffer, NX_DEADLINE_NEVER)) > 0;)
        if (label == ECHO)
            nx_pipe_write(&out, buffer, (size_t)n, NX_DEADLINE_NEVER);
}

static void send_end(nx_handle_t ep, uint32_t label, const struct nx_pipe_handles *h)
{
    struct nx_msg m = { .info = NX_MSG_INFO(label, 0, 3) };
    nx_handle_t hs[3] = { h->vmo, h->wait, h->signal };
    for (int i = 0; i < 3; i++) {
        nx_ipc_buffer->handles[i] = hs[i];
        nx_ipc_buffer->handle_rights[i] = NX_RIGHTS_SAME;
    }
    nx_ipc_call(ep, &m, NX_DEADLINE_NEVER);
}

// A child started on ep, and a notification that fires when it ends.
static nx_handle_t start_child(nx_handle_t *ep, nx_handle_t *done)
{
    *ep = (nx_handle_t)nx_endpoint_create();
    *done = (nx_handle_t)nx_notification_create();
    long c = nx_spawn("piper", CHILD_PAGES, child,
                      (nx_handle_t)nx_handle_duplicate(*ep, NX_RIGHTS_SAME));
    nx_process_watch(c, *done, 1);
    return (nx_handle_t)c;
}

static void end_child(nx_handle_t c, nx_handle_t ep, nx_handle_t done)
{
    uint64_t bits;
    nx_notify_wait_bits(done, NX_DEADLINE_NEVER, &bits);
    nx_handle_close(c);
    nx_handle_close(ep);
    nx_handle_close(done);
}

static void roundtrip(void)
{
    nx_handle_t ep, done, c = start_child(&ep, &done);
    struct nx_pipe_handles ard, awr, brd, bwr;
    struct nx_pipe to, from;
    nx_pipe_create(&ard, &awr);
    nx_pipe_create(&brd, &bwr);
    send_end(ep, ECHO, &ard);
    send_end(ep, ECHO, &bwr);
    nx_pipe_open(&awr, NX_RING_WRITER, &to);
    nx_pipe_open(&brd, NX_RING_READER, &from);
    char byte = 'x';
    uint64_t start = nx_rdinstret();
    for (int i = 0; i < ROUNDTRIPS; i++) {
        nx_pipe_write(&to, &byte, 1, NX_DEADLINE_NEVER);
        nx_pipe_read(&from, &byte, 1, NX_DEADLINE_NEVER);
    }
    report("pipe_roundtrip_instr", (nx_rdinstret() - start) / ROUNDTRIPS);
    nx_pipe_close(&to);
    end_child(c, ep, done);
    nx_pipe_close(&from);
}

static void bulk(void)
{
    nx_handle_t ep, done, c = start_child(&ep, &done);
    struct nx_pipe_handles rd, wr;
    struct nx_pipe to;
    nx_pipe_create(&rd, &wr);
    send_end(ep, DRAIN, &rd);
    nx_pipe_open(&wr, NX_RING_WRITER, &to);
    __builtin_memset(buffer, 0x5a, sizeof buffer);
    uint64_t copied = (uint64_t)nx_system_info(NX_INFO_BYTES_COPIED);
    uint64_t start = nx_rdinstret();
    for (size_t sent = 0; sent < PIPE_BYTES; sent += CHUNK)
        nx_pipe_write(&to, buffer, CHUNK, NX_DEADLINE_NEVER);
    nx_pipe_close(&to);
    end_child(c, ep, done);  // it has read everything
    report("pipe_instr_per_mib", (nx_rdinstret() - start) / (PIPE_BYTES >> 20));
    report("pipe_kernel_bytes_copied", (uint64_t)nx_system_info(NX_INFO_BYTES_COPIED) - copied);
}

void bench_pipe(void)
{
    roundtrip();
    bulk();
}
