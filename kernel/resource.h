#pragma once
// The device resource: the boot-time object that stands for the machine's device registers
// and interrupt lines. Only a holder of a handle to it can make a physical VMO (MMIO) or an
// IRQ object. The kernel gives one handle to the first boot program and keeps none itself.
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch/riscv/memlayout.h"
#include "object.h"

struct fdt_info;

// Set the resource up from the device tree; returns it (with one reference, never dropped).
struct kobject *resource_init(const struct fdt_info *fdt);
// Is [base, base + size) entirely device registers a driver may map (not RAM, not the
// kernel's interrupt controller)?
bool resource_allows_mmio(struct kobject *res, paddr_t base, size_t size);
// Is `line` an interrupt line of a device (1 .. number of PLIC sources)?
bool resource_allows_irq(struct kobject *res, uint32_t line);
