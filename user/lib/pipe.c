// Byte pipes' pure logic (see nx/pipe.h): the ring's byte functions plus the end-of-file and
// broken-pipe rules. The system-call side is pipe_wait.c.
#include <nexus/errors.h>
#include <nx/pipe.h>

void nx_pipe_reset(struct nx_pipe *p, enum nx_ring_side side)
{
    p->side = side;
    p->peer_gone = false;
    p->corrupt = false;
}

long nx_pipe_attach(struct nx_pipe *p, void *mem, size_t size, enum nx_ring_side side)
{
    nx_pipe_reset(p, side);
    return nx_ring_attach(&p->ring, mem, size, side);
}

void nx_pipe_take_bits(struct nx_pipe *p, uint64_t bits)
{
    if (bits & NX_PIPE_BIT_GONE)
        p->peer_gone = true;
}

// A corrupt header stays corrupt for this end: it never trusts the ring again.
static long checked(struct nx_pipe *p, long r)
{
    if (r == NX_ERR_BAD_STATE)
        p->corrupt = true;
    return r;
}

long nx_pipe_read_some(struct nx_pipe *p, void *buf, size_t n, bool *wake)
{
    *wake = false;
    if (p->corrupt || p->side != NX_RING_READER)
        return NX_ERR_BAD_STATE;
    // peer_gone is read before the ring: bytes the writer put before going are taken first.
    bool gone = p->peer_gone;
    long got = checked(p, nx_ring_get_bytes(&p->ring, buf, n, wake));
    if (got != 0 || n == 0)
        return got;
    return gone ? 0 : NX_ERR_TIMED_OUT;
}

long nx_pipe_write_some(struct nx_pipe *p, const void *buf, size_t n, bool *wake)
{
    *wake = false;
    if (p->corrupt || p->side != NX_RING_WRITER)
        return NX_ERR_BAD_STATE;
    if (p->peer_gone)
        return NX_ERR_PEER_CLOSED;
    long put = checked(p, nx_ring_put_bytes(&p->ring, buf, n, wake));
    return put == 0 && n > 0 ? NX_ERR_TIMED_OUT : put;
}
