#pragma once
// Flattened device tree (DTB) reader: pulls the few facts NEURON needs out of the
// blob that OpenSBI hands over in a1. Defensive: the blob is untrusted input.
#include <stddef.h>
#include <stdint.h>

#define FDT_MAX_VIRTIO 8
#define FDT_MAX_HARTS 8
#define FDT_BOOTARGS_MAX 256
#define FDT_MAX_RESERVED 8
#define FDT_MAX_DEPTH 16 // root node counts as depth 1

struct fdt_range { uint64_t base, size; };

struct fdt_info {
    struct fdt_range mem;          // first /memory node's first reg range
    uint64_t timebase_hz;          // /cpus timebase-frequency (u32 or u64 cell)
    uint32_t nharts;               // cpu@N nodes that are available, capped at FDT_MAX_HARTS
    uint32_t hart_ids[FDT_MAX_HARTS];  // their reg (the hart id), in tree order
    uint32_t nharts_listed;        // all available cpu nodes (those past the cap stay parked)
    char isa[64];                  // riscv,isa of the first available cpu, "" if absent
    struct fdt_range uart; uint32_t uart_irq;     // first node compatible "ns16550a"
    uint32_t uart_reg_shift, uart_io_width;       // its reg-shift (0) and reg-io-width (1)
    struct fdt_range rtc; uint32_t rtc_irq;       // first "google,goldfish-rtc"; size 0 if absent
    struct fdt_range plic; uint32_t plic_ndev;    // "riscv,plic0" / "sifive,plic-1.0.0"; riscv,ndev
    struct fdt_range virtio[FDT_MAX_VIRTIO]; uint32_t virtio_irq[FDT_MAX_VIRTIO];
    uint32_t nvirtio;              // "virtio,mmio" nodes sorted by base; lowest 8 kept
    struct fdt_range initrd;       // /chosen linux,initrd-start/-end; size 0 if absent
    char bootargs[FDT_BOOTARGS_MAX]; // /chosen bootargs, "" if absent
    struct fdt_range reserved[FDT_MAX_RESERVED]; uint32_t nreserved; // rsvmap + /reserved-memory/*
};

enum {
    FDT_OK = 0,
    FDT_E_TRUNCATED = -1,  // blob (or a block inside it) ends early
    FDT_E_BADMAGIC = -2,
    FDT_E_BADVERSION = -3,
    FDT_E_BADSTRUCT = -4,  // bad header layout, token, node name or nesting
    FDT_E_BADSTRING = -5,  // property name offset outside/unterminated in strings block
    FDT_E_BADVALUE = -6,   // a property we consume is malformed (also: > FDT_MAX_RESERVED regions)
    FDT_E_NOMEM_NODE = -7, // no /memory node with a reg
    FDT_E_TOODEEP = -8,    // nesting deeper than FDT_MAX_DEPTH
};

// Parse the blob. `avail` = how many bytes at `blob` may be read; the header's totalsize
// must be <= avail. Returns FDT_OK or a negative FDT_E_* code. Never reads outside
// [blob, blob+min(avail,totalsize)), never loops forever, whatever the bytes are.
// `blob` needs no particular alignment. `out` is fully written on success, zeroed on error.
// Nodes whose status is neither absent, "okay" nor "ok" are ignored (as Linux does).
int fdt_parse(const void *blob, size_t avail, struct fdt_info *out);

// Short human text for an FDT_* code.
const char *fdt_strerror(int err);

// The big-endian totalsize header field; `blob` must have 8 readable bytes.
// Use it to learn how much to map before calling fdt_parse (which checks the magic).
uint32_t fdt_totalsize(const void *blob);
