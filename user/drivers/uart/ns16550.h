#pragma once
// The 16550A UART's registers and the bits the driver uses. Where it is (QEMU virt:
// 0x10000000, PLIC line 10) is init's business: the driver gets it as a granted VMO and IRQ.
enum {
    UART_RBR = 0,  // receive buffer (read)
    UART_IER = 1,  // interrupt enable
    UART_FCR = 2,  // FIFO control (write)
    UART_LSR = 5,  // line status
};

#define IER_RX_AVAILABLE 0x01
#define FCR_FIFO_ON_CLEARED 0x07  // enable both FIFOs, empty them; interrupt at 1 byte
#define LSR_DATA_READY 0x01
