#pragma once
// The serial port's transmitter (an ns16550a), written by the kernel directly: the console's
// output without a trap into the firmware for each byte.
#include <stdbool.h>
#include <stdint.h>
#include "lib/fdt.h"

// Take the port the device tree names; false (the console stays on SBI) if it has none or
// one whose registers are laid out in a way not handled here.
bool uart_tx_init(const struct fdt_info *fdt);
// One byte out, once the transmitter has room for it.
void uart_tx_put(char c);
