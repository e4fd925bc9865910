// Tiny freestanding RISC-V program: a REAL input for tests/host/test_elf.c.
// It is only linked, never run. The markers let the test check that the
// segments it gets back really point at the bytes the linker placed there.
const char rodata_marker[] = "NEXUS-ELF-RODATA";
char data_marker[] = "NEXUS-ELF-DATA";
char bss_buf[8192];   // forces memsz > filesz in the data segment

// The first instruction at _start is a known encoding (lui a0,0x12345 ==
// 0x12345537) so the test can check that e_entry maps to the right file byte.
__asm__(".section .text.start, \"ax\"\n"
        ".globl _start\n"
        "_start:\n"
        "  lui a0, 0x12345\n"
        "  call main\n"
        "1: j 1b\n");

int main(void)
{
    volatile char sink = 0;
    for (unsigned i = 0; i < sizeof(rodata_marker); i++)
        sink ^= rodata_marker[i] ^ data_marker[i % sizeof(data_marker)];
    bss_buf[0] = sink;
    return 0;
}
