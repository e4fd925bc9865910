#pragma once
// IPC messages. A message is a 32-bit label, NX_MSG_WORDS words passed in registers, up to
// NX_MSG_BYTES_MAX bytes and up to NX_MSG_HANDLES_MAX handles in the sender's IPC buffer.
// The `info` word (argument a1 of call/send/reply/reply_recv, result a1 of a receive) packs:
//
//   63      56 55  52 51     48 47          32 31                  0
//   +---------+------+---------+--------------+---------------------+
//   |  flags  |  0   | nhandles|    nbytes    |        label        |
//   +---------+------+---------+--------------+---------------------+
#include <stdint.h>
#include <nexus/handle.h>

#define NX_MSG_WORDS 4
#define NX_MSG_BYTES_MAX 1024
#define NX_MSG_HANDLES_MAX 4

#define NX_MSG_INFO(label, nbytes, nhandles)                                     \
    ((uint64_t)(uint32_t)(label) | (uint64_t)((nbytes) & 0xffff) << 32 |         \
     (uint64_t)((nhandles) & 0xf) << 48)
#define NX_MSG_LABEL(info) ((uint32_t)(info))
#define NX_MSG_NBYTES(info) ((uint32_t)((info) >> 32) & 0xffff)
#define NX_MSG_NHANDLES(info) ((uint32_t)((info) >> 48) & 0xf)
#define NX_MSG_FLAGS(info) ((uint32_t)((info) >> 56))
// Set in a received info when recv returned a bound notification's bits instead of a message.
#define NX_MSG_SIGNALS (1ull << 56)
// Set in a received info when the message came by nx_call (a reply is expected).
#define NX_MSG_CALL (1ull << 57)

// In handle_rights[i] of a message being sent: copy the handle (needs DUPLICATE) instead of
// moving it. The rest is the rights the receiver gets (NX_RIGHTS_SAME: the sender's).
#define NX_XFER_COPY (1u << 30)

// Every thread has one IPC buffer page, mapped by the kernel at
// NX_IPC_BUFFER_BASE + slot * 4096 (slot < NX_PROCESS_MAX_THREADS) and passed to the thread
// in a1 when it starts. It cannot be unmapped.
#define NX_IPC_BUFFER_BASE 0x3fff000000ULL

struct nx_ipc_buffer {
    nx_handle_t handles[NX_MSG_HANDLES_MAX];     // send: handles to pass; receive: new handles
    uint32_t handle_rights[NX_MSG_HANDLES_MAX];  // send: rights | NX_XFER_COPY; receive: rights
    uint8_t bytes[NX_MSG_BYTES_MAX];             // payload
};
_Static_assert(sizeof(struct nx_ipc_buffer) <= 4096, "one page");
