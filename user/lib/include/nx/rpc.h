#pragma once
// Typed request/reply over endpoints. The convention every service follows:
//
//   request: label = operation, bytes = the request struct, handles as the operation says
//   reply:   word 0 = status (NX_OK, a negative NX_ERR_*, or a non-negative count or value
//            the operation defines), bytes = the reply struct, handles as the operation says
//
// Clients use nx_rpc_call (fixed-size structs) or nx_rpc (everything); servers describe their
// operations in a table and run nx_rpc_serve, which checks each request's size before the
// handler sees it and replies with what the handler left in the request. Payloads are
// copied, so a handler may read the request while it writes the reply.
#include <stddef.h>
#include <stdint.h>
#include <nexus/ipc.h>
#include <nx/ipc.h>

// Handles travelling with a message. Sending: h[i] with rights[i] (NX_RIGHTS_SAME, or fewer
// rights, | NX_XFER_COPY to copy instead of move). Receiving: the new handles and their rights.
struct nx_rpc_handles {
    uint32_t count;
    nx_handle_t h[NX_MSG_HANDLES_MAX];
    uint32_t rights[NX_MSG_HANDLES_MAX];
};

// One client call.
struct nx_rpc_call {
    uint32_t op;
    const void *req;              // request bytes (at most NX_MSG_BYTES_MAX)
    size_t req_len;
    struct nx_rpc_handles send;   // handles for the server
    void *rep;                    // reply bytes land here...
    size_t rep_cap;               // ...at most this many (more: NX_ERR_TOO_BIG)
    size_t rep_len;               // out: how many came
    struct nx_rpc_handles recv;   // out: handles in the reply (the caller owns them)
    uint64_t deadline;            // for the whole exchange (NX_DEADLINE_NEVER: wait for ever;
                                  // 0 is long past: the call fails with NX_ERR_TIMED_OUT)
};

// Make the call. Returns the IPC error (the handles in `send` are then still the caller's if
// the call failed before the server got it: NX_ERR_BAD_HANDLE, NX_ERR_ACCESS, NX_ERR_TOO_BIG,
// NX_ERR_TIMED_OUT while queued...), NX_ERR_TOO_BIG if the reply's bytes exceed rep_cap (its
// handles are then closed), or else the reply's status word.
long nx_rpc(nx_handle_t ep, struct nx_rpc_call *c);

// The common case: req_len bytes out, exactly rep_len bytes back when the status is not
// negative (a reply of another size is NX_ERR_INVALID); no handles either way.
long nx_rpc_call(nx_handle_t ep, uint32_t op, const void *req, size_t req_len, void *rep,
                 size_t rep_len, uint64_t deadline);

// ---- servers ----

// A request as a handler sees it, and the reply it builds in the same struct.
struct nx_rpc_req {
    uint32_t op;
    uint64_t badge;                  // badge of the handle the client called through
    const uint8_t *data;             // request bytes (a copy; valid during the handler)
    size_t len;
    struct nx_rpc_handles handles;   // received; the handler keeps a handle by setting its
                                     // entry to NX_HANDLE_INVALID, the rest are closed after it
    uint8_t *reply;                  // NX_MSG_BYTES_MAX bytes for the reply...
    size_t reply_len;                // ...of which the handler sets how many to send
    struct nx_rpc_handles reply_handles;  // handles to send back (count 0 by default)
};

// Handle one request; the return value is the reply's status word.
typedef long (*nx_rpc_handler_fn)(void *ctx, struct nx_rpc_req *req);

struct nx_rpc_op {
    uint32_t op;
    size_t min_len, max_len;         // request size bounds; others get NX_ERR_INVALID
    nx_rpc_handler_fn fn;
};

struct nx_rpc_server {
    const struct nx_rpc_op *ops;
    size_t nops;
    void *ctx;                       // passed to every handler
    // Called with the bits when a notification bound to the endpoint fires (may be NULL).
    void (*on_signals)(void *ctx, uint64_t bits);
};

// Serve requests on ep until a receive fails (the endpoint's last other handle closed...):
// returns that error. Unknown operations get NX_ERR_INVALID; a message sent without a call
// (nx_ipc_send) is handled the same way but gets no reply.
long nx_rpc_serve(nx_handle_t ep, const struct nx_rpc_server *srv);

// One server step, without the receive and the reply: dispatch the message *m whose bytes
// and handles are in *buf, then leave the reply in *m and *buf. Received handles the handler
// did not keep are closed; so are the reply's handles when the status is negative (a failed
// request's reply carries nothing). scratch holds the request's copy (NX_MSG_BYTES_MAX
// bytes). Returns the reply's status.
long nx_rpc_dispatch(const struct nx_rpc_server *srv, struct nx_msg *m,
                     struct nx_ipc_buffer *buf, uint8_t *scratch);

// ---- message packing (pure; host-tested) ----

// Fill the message m/buf: label op, status in word 0, len bytes of data, the handles hs
// (may be NULL). NX_ERR_TOO_BIG if len > NX_MSG_BYTES_MAX or too many handles.
long nx_rpc_pack(struct nx_msg *m, struct nx_ipc_buffer *buf, uint32_t op, long status,
                 const void *data, size_t len, const struct nx_rpc_handles *hs);

// Close every valid handle in hs and empty it.
void nx_rpc_close_handles(struct nx_rpc_handles *hs);

// Copy a received message's bytes out: NX_ERR_TOO_BIG if more than cap, NX_ERR_INVALID if
// the message claims more than NX_MSG_BYTES_MAX; *len = the count. Its handles go to *hs.
long nx_rpc_unpack(const struct nx_msg *m, const struct nx_ipc_buffer *buf, void *out,
                   size_t cap, size_t *len, struct nx_rpc_handles *hs);
