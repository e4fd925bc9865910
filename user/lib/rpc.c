// Typed request/reply over endpoints (see nx/rpc.h): message packing, the client call, and
// the server loop around nx_rpc_dispatch.
#include <stdbool.h>
#include <string.h>
#include <nx/rpc.h>
#include <nx/thread.h>

void nx_rpc_close_handles(struct nx_rpc_handles *hs)
{
    for (uint32_t i = 0; i < hs->count && i < NX_MSG_HANDLES_MAX; i++)
        if (hs->h[i] != NX_HANDLE_INVALID)
            nx_handle_close(hs->h[i]);
    hs->count = 0;
}

long nx_rpc_pack(struct nx_msg *m, struct nx_ipc_buffer *buf, uint32_t op, long status,
                 const void *data, size_t len, const struct nx_rpc_handles *hs)
{
    uint32_t n = hs ? hs->count : 0;
    if (len > NX_MSG_BYTES_MAX || n > NX_MSG_HANDLES_MAX)
        return NX_ERR_TOO_BIG;
    if (len)
        memmove(buf->bytes, data, len);  // a reply may already be built in place
    for (uint32_t i = 0; i < n; i++) {
        buf->handles[i] = hs->h[i];
        buf->handle_rights[i] = hs->rights[i];
    }
    m->info = NX_MSG_INFO(op, len, n);
    m->w[0] = (uint64_t)status;
    m->w[1] = m->w[2] = m->w[3] = 0;
    return NX_OK;
}

long nx_rpc_unpack(const struct nx_msg *m, const struct nx_ipc_buffer *buf, void *out,
                   size_t cap, size_t *len, struct nx_rpc_handles *hs)
{
    uint32_t nbytes = NX_MSG_NBYTES(m->info), n = NX_MSG_NHANDLES(m->info);
    if (nbytes > NX_MSG_BYTES_MAX || n > NX_MSG_HANDLES_MAX)
        return NX_ERR_INVALID;
    hs->count = n;
    for (uint32_t i = 0; i < n; i++) {
        hs->h[i] = buf->handles[i];
        hs->rights[i] = buf->handle_rights[i];
    }
    if (nbytes > cap)
        return NX_ERR_TOO_BIG;
    memcpy(out, buf->bytes, nbytes);
    *len = nbytes;
    return NX_OK;
}

// ---- clients ----

long nx_rpc(nx_handle_t ep, struct nx_rpc_call *c)
{
    struct nx_ipc_buffer *buf = nx_ipc_buf();
    struct nx_msg m;
    c->rep_len = 0;
    c->recv.count = 0;
    long err = nx_rpc_pack(&m, buf, c->op, 0, c->req, c->req_len, &c->send);
    if (err == NX_OK)
        err = nx_ipc_call(ep, &m, c->deadline);
    if (err)
        return err;
    err = nx_rpc_unpack(&m, buf, c->rep, c->rep_cap, &c->rep_len, &c->recv);
    if (err) {
        nx_rpc_close_handles(&c->recv);
        return err;
    }
    return (long)m.w[0];
}

long nx_rpc_call(nx_handle_t ep, uint32_t op, const void *req, size_t req_len, void *rep,
                 size_t rep_len, uint64_t deadline)
{
    struct nx_rpc_call c = { .op = op, .req = req, .req_len = req_len, .rep = rep,
                             .rep_cap = rep_len, .deadline = deadline };
    long status = nx_rpc(ep, &c);
    nx_rpc_close_handles(&c.recv);  // this form expects none
    if (status >= 0 && c.rep_len != rep_len)
        return NX_ERR_INVALID;
    return status;
}

// ---- servers ----

static const struct nx_rpc_op *find_op(const struct nx_rpc_server *srv, uint32_t op)
{
    for (size_t i = 0; i < srv->nops; i++)
        if (srv->ops[i].op == op)
            return &srv->ops[i];
    return NULL;
}

// Run the handler of req->op if the request is well-formed; the status.
static long handle(const struct nx_rpc_server *srv, struct nx_rpc_req *req)
{
    const struct nx_rpc_op *op = find_op(srv, req->op);
    if (!op || req->len < op->min_len || req->len > op->max_len)
        return NX_ERR_INVALID;
    return op->fn(srv->ctx, req);
}

long nx_rpc_dispatch(const struct nx_rpc_server *srv, struct nx_msg *m,
                     struct nx_ipc_buffer *buf, uint8_t *scratch)
{
    struct nx_rpc_req req = { .op = NX_MSG_LABEL(m->info), .badge = m->badge,
                              .data = scratch, .reply = buf->bytes };
    long status = nx_rpc_unpack(m, buf, scratch, NX_MSG_BYTES_MAX, &req.len, &req.handles);
    if (status == NX_OK)
        status = handle(srv, &req);
    nx_rpc_close_handles(&req.handles);
    if (status >= 0 && nx_rpc_pack(m, buf, 0, status, req.reply, req.reply_len,
                                   &req.reply_handles) == NX_OK)
        return status;
    if (status >= 0)
        status = NX_ERR_TOO_BIG;  // the handler built more than a message holds
    nx_rpc_close_handles(&req.reply_handles);
    nx_rpc_pack(m, buf, 0, status, NULL, 0, NULL);
    return status;
}

// A reply that is not going out: its handles are still ours.
static void drop_reply(struct nx_ipc_buffer *buf, const struct nx_msg *m)
{
    for (uint32_t i = 0; i < NX_MSG_NHANDLES(m->info); i++)
        nx_handle_close(buf->handles[i]);
}

// A reply that could not be delivered (the caller's handle table is full, a reply handle was
// bad...): the caller gets the error alone.
static void reply_failed(struct nx_ipc_buffer *buf, const struct nx_msg *m, long err)
{
    drop_reply(buf, m);
    struct nx_msg e = { .info = NX_MSG_INFO(0, 0, 0), .w = { (uint64_t)err } };
    nx_ipc_reply(&e);
}

long nx_rpc_serve(nx_handle_t ep, const struct nx_rpc_server *srv)
{
    struct nx_ipc_buffer *buf = nx_ipc_buf();
    uint8_t scratch[NX_MSG_BYTES_MAX];
    struct nx_msg m = { .info = 0 };
    bool replying = false;
    for (;;) {
        long err = replying ? nx_ipc_reply_recv(ep, &m, NX_DEADLINE_NEVER)
                            : nx_ipc_recv(ep, &m, NX_DEADLINE_NEVER);
        if (err && replying) {
            reply_failed(buf, &m, err);
            replying = false;
            continue;
        }
        if (err)
            return err;
        if (m.info & NX_MSG_SIGNALS) {
            if (srv->on_signals)
                srv->on_signals(srv->ctx, m.w[0]);
            replying = false;
            continue;
        }
        replying = (m.info & NX_MSG_CALL) != 0;
        nx_rpc_dispatch(srv, &m, buf, scratch);
        if (!replying)
            drop_reply(buf, &m);  // a send: nobody to answer
    }
}
