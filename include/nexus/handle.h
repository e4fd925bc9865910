#pragma once
// Handles: the only way user space names a kernel object. A handle is a 32-bit value that is
// meaningful in one process's handle table, carrying a set of rights on one object.
#include <stdint.h>

typedef uint32_t nx_handle_t;

// Never a valid handle: the slot field of every real handle is at least 1 (see below).
#define NX_HANDLE_INVALID 0u

// Object types. NX_OBJ_ANY is not a type: a lookup passes it to accept every type.
enum nx_obj_type {
    NX_OBJ_ANY = 0,
    NX_OBJ_PROCESS = 1,
    NX_OBJ_THREAD = 2,
    NX_OBJ_VMO = 3,
    NX_OBJ_ENDPOINT = 4,
    NX_OBJ_NOTIFICATION = 5,
    NX_OBJ_IRQ = 6,
    NX_OBJ_TIMER = 7,
    NX_OBJ_RESOURCE = 8,
    NX_OBJ_PAGER = 9,
    NX_OBJ_TYPE_COUNT
};

// Rights: what a handle allows on its object. A derived handle never has more than its source.
#define NX_RIGHT_READ      (1u << 0)  // read state or data
#define NX_RIGHT_WRITE     (1u << 1)  // change state or data
#define NX_RIGHT_MAP       (1u << 2)  // map into an address space
#define NX_RIGHT_EXECUTE   (1u << 3)  // map executable
#define NX_RIGHT_DUPLICATE (1u << 4)  // make another handle to the same object
#define NX_RIGHT_TRANSFER  (1u << 5)  // send to another process
#define NX_RIGHT_SIGNAL    (1u << 6)  // raise signals / send
#define NX_RIGHT_WAIT      (1u << 7)  // wait on signals / receive
#define NX_RIGHT_MANAGE    (1u << 8)  // change the object's configuration or lifetime
#define NX_RIGHT_DMA       (1u << 9)  // let a device reach the object's memory
#define NX_RIGHTS_ALL      ((1u << 10) - 1)
// Not a right: asks duplicate/transfer to keep the source handle's rights unchanged.
#define NX_RIGHTS_SAME     (1u << 31)
_Static_assert((NX_RIGHTS_ALL & NX_RIGHTS_SAME) == 0, "NX_RIGHTS_SAME must not be a right");

// Handle value encoding:
//
//   31                         12 11          0
//   +----------------------------+-------------+
//   |  generation (20 bits)      |  slot + 1   |
//   +----------------------------+-------------+
//
// The low field is the table slot plus one, so the value 0 never names a slot. The generation
// is the slot's count of reuses (mod 2^20): once a slot is freed and reused, the old value no
// longer matches, so a stale handle fails instead of reaching the new object. A stale value can
// only match again after 2^20 reuses of the same slot.
#define NX_HANDLE_SLOT_BITS 12
#define NX_HANDLE_SLOT_MASK ((1u << NX_HANDLE_SLOT_BITS) - 1)
#define NX_HANDLE_GEN_BITS  (32 - NX_HANDLE_SLOT_BITS)
#define NX_HANDLE_GEN_MASK  ((1u << NX_HANDLE_GEN_BITS) - 1)

// Handles one process can hold at once: 255 64-byte slots and the table's 12-byte tail fill
// 4 pages exactly (256 slots would spill 12 bytes into a fifth page).
#define NX_HANDLE_TABLE_SIZE 255
// Slot + 1 must fit the slot field.
_Static_assert(NX_HANDLE_TABLE_SIZE <= NX_HANDLE_SLOT_MASK, "table does not fit the encoding");

static inline nx_handle_t nx_handle_encode(uint32_t slot, uint32_t generation)
{
    return ((generation & NX_HANDLE_GEN_MASK) << NX_HANDLE_SLOT_BITS) |
           ((slot + 1) & NX_HANDLE_SLOT_MASK);
}

// The slot index; UINT32_MAX for NX_HANDLE_INVALID or any value whose slot field is 0.
static inline uint32_t nx_handle_slot(nx_handle_t h)
{
    return (h & NX_HANDLE_SLOT_MASK) - 1u;
}

static inline uint32_t nx_handle_generation(nx_handle_t h)
{
    return h >> NX_HANDLE_SLOT_BITS;
}

// nx_handle_info's result: the object type in bits 0-7, the rights in bits 8-39, and bit 40
// set while a handle derived from it lives in any process (a service that minted handles for
// clients learns when none is left: closed, or its process gone). Never negative, so an
// error stays apart.
#define NX_HANDLE_INFO_TYPE_MASK 0xffu
#define NX_HANDLE_INFO_RIGHTS_SHIFT 8
#define NX_HANDLE_INFO_DERIVED (1L << 40)

static inline long nx_handle_info_encode(uint32_t type, uint32_t rights)
{
    return (long)((type & NX_HANDLE_INFO_TYPE_MASK) |
                  (uint64_t)rights << NX_HANDLE_INFO_RIGHTS_SHIFT);
}

static inline uint32_t nx_handle_info_type(long info)
{
    return (uint32_t)info & NX_HANDLE_INFO_TYPE_MASK;
}

static inline uint32_t nx_handle_info_rights(long info)
{
    return (uint32_t)((uint64_t)info >> NX_HANDLE_INFO_RIGHTS_SHIFT);
}
