#pragma once
// Access to user memory by walking the process's page table: a bad user pointer yields
// NX_ERR_BAD_ADDRESS, never a kernel fault.
#include <stddef.h>
#include <stdint.h>
#include "arch/riscv/memlayout.h"

enum user_access { USER_READ, USER_WRITE };

// NX_OK if every page of [va, va+len) is user-mapped with the access asked for. root must be
// the calling process's: pages of its VMO mappings not touched yet are faulted in (committed)
// on the way, so the check can also fail with NX_ERR_NO_MEMORY; a failed check may leave
// some of those pages committed, which changes no contents. A page of a paged VMO may wait
// for its pager (pager.h), and fail with the pager's errors.
int user_check(paddr_t root, uint64_t va, size_t len, enum user_access access);
int copy_from_user(paddr_t root, void *dst, uint64_t va, size_t len);
int copy_to_user(paddr_t root, uint64_t va, const void *src, size_t len);
