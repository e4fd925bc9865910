// IPC benchmarks between two processes (two address spaces): call + reply round trips on the
// fast path (no payload, 4 handles moved each way, a full IPC buffer each way) and 16 MiB
// moved through 1024-byte messages. The server is a copy of this program (nx_spawn).
#include <nx/ipc.h>
#include <nx/nx.h>
#include "bench.h"

#define MIB (1024 * 1024)
#define BULK_BYTES (16 * MIB)

// Labels: ECHO answers with a message of the same shape (the bytes as they are, the handles
// moved back); SINK copies the bytes out, as a real receiver would, and answers empty.
enum { ECHO = 1, SINK };

#define SERVER_PAGES 64

static uint8_t sink[NX_MSG_BYTES_MAX] __attribute__((aligned(64)));
static uint8_t source[64 * 1024] __attribute__((aligned(64)));

// One full message between 8-byte aligned buffers: the compiler copies it a word at a time
// inline (libc's memcpy goes a byte at a time), as the VMO ring benchmark's copies do.
static void copy_message(void *dst, const void *src)
{
    __builtin_memcpy(__builtin_assume_aligned(dst, 8), __builtin_assume_aligned(src, 8),
                     NX_MSG_BYTES_MAX);
}

// The server process, until it is killed.
static void server(nx_handle_t ep)
{
    struct nx_msg m = { .info = 0 };
    long r = nx_ipc_recv(ep, &m, NX_DEADLINE_NEVER);
    while (r == NX_OK) {
        uint32_t nbytes = NX_MSG_NBYTES(m.info), nhandles = NX_MSG_NHANDLES(m.info);
        if (NX_MSG_LABEL(m.info) == SINK) {
            copy_message(sink, nx_ipc_buffer->bytes);
            nbytes = 0;
        }
        m.info = NX_MSG_INFO(0, nbytes, nhandles);
        r = nx_ipc_reply_recv(ep, &m, NX_DEADLINE_NEVER);
    }
}

// Average instructions per call + reply of `info`, everything included (both processes' user
// code, two syscalls, two switches of thread and address space).
static uint64_t roundtrip(nx_handle_t ep, uint64_t info)
{
    struct nx_msg m = { .info = 0 };
    uint64_t start = nx_rdinstret();
    for (int i = 0; i < ITERATIONS; i++) {
        m.info = info;
        nx_ipc_call(ep, &m, NX_DEADLINE_NEVER);
    }
    return (nx_rdinstret() - start) / ITERATIONS;
}

// 4 handles moved to the server and back on every round trip: after each reply
// nx_ipc_buffer already holds their new values and rights, ready to send again.
static uint64_t roundtrip_4handles(nx_handle_t ep)
{
    for (int i = 0; i < 4; i++) {
        nx_ipc_buffer->handles[i] = (nx_handle_t)nx_notification_create();
        nx_ipc_buffer->handle_rights[i] = NX_RIGHTS_SAME;
    }
    uint64_t cost = roundtrip(ep, NX_MSG_INFO(ECHO, 0, 4));
    for (int i = 0; i < 4; i++)
        nx_handle_close(nx_ipc_buffer->handles[i]);
    return cost;
}

// 16 MiB from a source buffer to the server's memory: copy into the IPC buffer, call, the
// server copies out. Reports instructions per MiB and the bytes the kernel copied.
static void bulk(nx_handle_t ep)
{
    for (size_t i = 0; i < sizeof(source); i++)
        source[i] = (uint8_t)i;
    uint64_t copied = (uint64_t)nx_system_info(NX_INFO_BYTES_COPIED);
    struct nx_msg m = { .info = 0 };
    uint64_t start = nx_rdinstret();
    for (size_t off = 0; off < BULK_BYTES; off += NX_MSG_BYTES_MAX) {
        copy_message(nx_ipc_buffer->bytes, source + off % sizeof(source));
        m.info = NX_MSG_INFO(SINK, NX_MSG_BYTES_MAX, 0);
        nx_ipc_call(ep, &m, NX_DEADLINE_NEVER);
    }
    report("bulk_ipc_instr_per_mib", (nx_rdinstret() - start) / (BULK_BYTES / MIB));
    report("bulk_ipc_kernel_bytes_copied",
           (uint64_t)nx_system_info(NX_INFO_BYTES_COPIED) - copied);
}

void bench_ipc(void)
{
    long ep = nx_endpoint_create();
    long child = nx_spawn("ipcserver", SERVER_PAGES, server,
                          (nx_handle_t)nx_handle_duplicate(ep, NX_RIGHTS_SAME));
    report("ipc_roundtrip_instr", roundtrip(ep, NX_MSG_INFO(ECHO, 0, 0)));
    report("ipc_roundtrip_4handles_instr", roundtrip_4handles(ep));
    report("ipc_roundtrip_maxpayload_instr", roundtrip(ep, NX_MSG_INFO(ECHO, NX_MSG_BYTES_MAX, 0)));
    bulk(ep);
    nx_process_kill(child);
    nx_handle_close(child);
    nx_handle_close(ep);
}
