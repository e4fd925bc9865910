#pragma once
// Error codes returned by every NEURON syscall (negative values in a0).
// One X-macro list: the codes (an enum in C, .equ symbols in assembly), their names for
// messages, and docs/abi.md come from it.
#define NX_ERRORS(X)                                                          \
    X(NX_OK,               0, "success")                                      \
    X(NX_ERR_BAD_SYSCALL, -1, "unknown syscall number")                       \
    X(NX_ERR_INVALID,     -2, "an argument is out of its documented range")   \
    X(NX_ERR_BAD_ADDRESS, -3, "a user pointer or range is not mapped with the access needed") \
    X(NX_ERR_NO_MEMORY,   -4, "out of pages or over the process memory budget") \
    X(NX_ERR_BAD_HANDLE,  -5, "the handle is not valid in this process")      \
    X(NX_ERR_WRONG_TYPE,  -6, "the handle names an object of another type")   \
    X(NX_ERR_ACCESS,      -7, "the handle lacks a right the operation needs")  \
    X(NX_ERR_NO_SPACE,    -8, "a table or queue is full")                     \
    X(NX_ERR_TIMED_OUT,   -9, "the deadline passed first")                    \
    X(NX_ERR_PEER_CLOSED, -10, "the other side is gone")                      \
    X(NX_ERR_NOT_FOUND,   -11, "no such entry")                               \
    X(NX_ERR_BAD_STATE,   -12, "the object is not in a state that allows this") \
    X(NX_ERR_TOO_BIG,     -13, "a length exceeds its documented limit")     \
    X(NX_ERR_IO,          -14, "a device reported an error (user-space drivers)") \
    X(NX_ERR_FULL,        -15, "the disk is full: no free block or inode (file systems)")

#if defined(__ASSEMBLER__)
#define NX_ERROR_EQU(name, value, text) .equ name, value;
NX_ERRORS(NX_ERROR_EQU)
#undef NX_ERROR_EQU
#else
enum nx_error {
#define NX_ERROR_ENUM(name, value, text) name = value,
    NX_ERRORS(NX_ERROR_ENUM)
#undef NX_ERROR_ENUM
};
#endif
