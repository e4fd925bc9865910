#pragma once
// What exectest and execchild agree on: the rpc operation exectest serves and the ring it
// reads.
#include <stdint.h>

enum { OP_ADD = 1 };
struct add_req {
    int64_t a, b;
};
struct add_rep {
    int64_t sum;
};

#define RING_DATA_SIZE 256
#define RING_BIT 1
#define RING_RECORDS 20  // more than fit: some are dropped
