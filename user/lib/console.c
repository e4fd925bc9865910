// Client side of the console service (nx/console.h).
#include <stdint.h>
#include <nx/console.h>
#include <nx/rpc.h>
#include <nx/stdio.h>
#include <nx/syscall.h>

long nx_console_write(nx_handle_t con, const void *buf, size_t len)
{
    for (size_t done = 0; done < len;) {
        size_t n = len - done < NX_MSG_BYTES_MAX ? len - done : NX_MSG_BYTES_MAX;
        long r = nx_rpc_call(con, NX_CONSOLE_WRITE, (const char *)buf + done, n, NULL, 0,
                             NX_DEADLINE_NEVER);
        if (r < 0)
            return r;
        done += n;
    }
    return (long)len;
}

long nx_console_read(nx_handle_t con, void *buf, size_t max, uint64_t deadline)
{
    struct nx_console_read_req req = {
        .deadline = deadline,
        .max = max < NX_MSG_BYTES_MAX ? (uint32_t)max : NX_MSG_BYTES_MAX,
    };
    struct nx_rpc_call c = {
        .op = NX_CONSOLE_READ, .req = &req, .req_len = sizeof req,
        .rep = buf, .rep_cap = req.max, .deadline = NX_DEADLINE_NEVER,
    };
    return nx_rpc(con, &c);
}

long nx_console_stats(nx_handle_t con, struct nx_console_stats *out)
{
    return nx_rpc_call(con, NX_CONSOLE_STATS, NULL, 0, out, sizeof *out, NX_DEADLINE_NEVER);
}

static long console_sink(void *ctx, const char *buf, size_t len)
{
    return nx_console_write((nx_handle_t)(uintptr_t)ctx, buf, len);
}

void nx_console_take_stdio(nx_handle_t con)
{
    nx_stdio_set_sink(console_sink, (void *)(uintptr_t)con);
}
