#pragma once
// QEMU virt's 16550A UART: where it is and the registers and bits the driver uses.
#define UART_PADDR 0x10000000ul
#define UART_IRQ_LINE 10

enum {
    UART_RBR = 0,  // receive buffer (read)
    UART_THR = 0,  // transmit holding (write)
    UART_IER = 1,  // interrupt enable
    UART_FCR = 2,  // FIFO control (write)
    UART_LSR = 5,  // line status
};

#define IER_RX_AVAILABLE 0x01
#define FCR_FIFO_ON_CLEARED 0x07  // enable both FIFOs, empty them; interrupt at 1 byte
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20
